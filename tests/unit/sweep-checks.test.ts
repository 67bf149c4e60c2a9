/** The sweep's own checks: critical 2xx on mutating methods, detail.scopes in either form, revealed scopes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkNotLetThrough, checkScopesNamed, revealedScopes, scopeMismatch } from '../../src/sweep/checks.ts';
import type { AuthLayerScenario } from '../../src/sweep/catalogue.ts';

const scenario = (over: Partial<AuthLayerScenario> = {}): AuthLayerScenario => ({
  id: 'auth-x', title: 't', kind: 'auth_layer', case: 'scope-not-granted', operation: { id: 'delete:disk', method: 'DELETE', path: '/disks/disk' },
  status: 403, variant: 'scope_not_granted', state: 'token_can_regenerate', scopes: ['disks'], oauth2Prefix: 'api.katapult.io/core/v1/',
  request: { path: 'disks/disk', body: {} }, mutating: true, auth: { kind: 'state-bearer' }, body: { kind: 'json', value: {} },
  expectStatus: [403], expectCode: 'scope_not_granted', ...over,
} as AuthLayerScenario);

test('a 2xx to a mutating sweep request is critical; to a GET, or a 4xx, it is not this check\'s', () => {
  const [f] = checkNotLetThrough(scenario({ case: 'no-authorization', status: 400, variant: 'missing_api_token' }), 204, 'x');
  assert.equal(f!.critical, true);
  assert.match(f!.message, /^CRITICAL: the authentication layer let an unauthenticated DELETE through: DELETE \/disks\/disk answered 204 instead of 400 missing_api_token/);
  assert.deepEqual(checkNotLetThrough(scenario({ mutating: false }), 200, 'x'), []);
  assert.deepEqual(checkNotLetThrough(scenario(), 403, 'x'), []);
  assert.deepEqual(checkNotLetThrough(scenario(), 302, 'x'), []);
});

test('detail.scopes must name a documented scope, plain or OAuth2; another scope fails', () => {
  const body = (scopes: unknown) => ({ code: 'scope_not_granted', description: 'd', detail: { scopes } });
  assert.deepEqual(checkScopesNamed(scenario(), body(['disks']), 'x'), []);
  assert.deepEqual(checkScopesNamed(scenario(), body(['api.katapult.io/core/v1/disks']), 'x'), []);
  assert.equal(checkScopesNamed(scenario(), body(['api_tokens']), 'x')[0]!.check, 'detail_scopes');
  assert.equal(checkScopesNamed(scenario(), body(undefined), 'x').length, 1);
  assert.deepEqual(checkScopesNamed(scenario({ case: 'unknown-bearer' }), body([]), 'x'), []);
});

test('a state whose bearer is its own token shows its scopes; holding one of the operation\'s skips the case', () => {
  const state = { bearer: 's', secret: 's', api_token: { id: 'i', scopes: ['api.katapult.io/core/v1/disks'] } };
  assert.deepEqual(revealedScopes(state), ['api.katapult.io/core/v1/disks']);
  assert.match(scopeMismatch(scenario(), revealedScopes(state))!, /holds disks, which DELETE \/disks\/disk accepts/);
  assert.equal(revealedScopes({ ...state, bearer: 'other' }), undefined, 'a separate caller token shows nothing');
  assert.equal(scopeMismatch(scenario(), ['api_tokens']), undefined);
});

test('live mode runs the sweep only with LIVE_AUTH_SWEEP=true; every other mode always', async () => {
  const { sweepUnavailable } = await import('../../src/sweep/descriptors.ts');
  assert.match(sweepUnavailable({ mode: 'live', liveAuthSweep: false })!, /LIVE_AUTH_SWEEP=true/);
  assert.equal(sweepUnavailable({ mode: 'live', liveAuthSweep: true }), undefined);
  for (const mode of ['bundled', 'state', 'base-only']) assert.equal(sweepUnavailable({ mode, liveAuthSweep: false }), undefined);
});
