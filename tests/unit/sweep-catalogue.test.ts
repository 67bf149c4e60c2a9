/**
 * The sweep's catalogue, generated from documents: what is read of each
 * operation (scopes in both forms, inherited security without scopes, the
 * authenticator's 400), the harmless requests, ids and the scope donors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../src/model/suite-root.ts';
import { readAuthLayerOperations, scopesOf } from '../../src/sweep/operations.ts';
import { PLACEHOLDER, harmlessRequest, placeholderValue } from '../../src/sweep/placeholders.ts';
import { scopeDonor, sweepCatalogue } from '../../src/sweep/catalogue.ts';
import { CORE_DOCUMENT, coreDocumentMissing } from '../support/sweep-target.ts';

const FIXTURE = join(REPO_ROOT, 'tests/fixtures/auth-layer/widgets.openapi.json');
const CORE = CORE_DOCUMENT;
const read = (file: string) => readAuthLayerOperations(JSON.parse(readFileSync(file, 'utf8')), 'specs/x.json');

test('an operation is read with its method, path, scopes, 400 and 403 codes', () => {
  const ops = read(FIXTURE);
  assert.deepEqual(ops.map((o) => `${o.method} ${o.path} ${o.id}`), ['GET /widgets/widget get:widget', 'DELETE /widgets/widget delete:widget', 'GET /widget_colours get:widget_colours']);
  const [get, del, colours] = ops;
  assert.deepEqual(get!.scopes, ['widgets', 'widgets:read']);
  assert.deepEqual(del!.scopes, ['widgets']);
  assert.deepEqual(colours!.scopes, [], 'inherits the document security, which names no scope');
  for (const op of ops) {
    assert.equal(op.authenticator400, true);
    assert.equal(op.authenticator400Component, true);
    assert.deepEqual(op.codes403, ['unauthorized_network_for_api_token', 'invalid_api_token', 'invalid_capabilities_token', 'scope_not_granted']);
  }
  assert.equal(get!.oauth2Prefix, 'api.katapult.io/core/v1/');
});

test('scopes come from the plain Authenticator requirement, else from OAuth2 without its prefix', () => {
  const p = 'api.katapult.io/core/v1/';
  assert.deepEqual(scopesOf([{ OAuth2: [`${p}a`] }, { Authenticator: ['a', 'b'] }], p), ['a', 'b']);
  assert.deepEqual(scopesOf([{ OAuth2: [`${p}a`, `${p}a:read`] }], p), ['a', 'a:read']);
  assert.deepEqual(scopesOf([{ OAuth2: [] }, { Authenticator: [] }], p), []);
  assert.deepEqual(scopesOf(undefined, p), []);
});

test('harmless requests: only what is required, placeholders for strings, schema limits kept', () => {
  const [get, del, colours] = read(FIXTURE);
  assert.deepEqual(harmlessRequest(get!), { path: 'widgets/widget?colour=red', body: undefined });
  const delReq = harmlessRequest(del!);
  assert.deepEqual(delReq.body, { widget: {}, reason: PLACEHOLDER.slice(0, 20) });
  assert.equal(harmlessRequest(colours!).path, 'widget_colours');
  assert.deepEqual(placeholderValue({ type: 'integer', minimum: 3 }), 3);
  assert.deepEqual(placeholderValue({ type: 'array', minItems: 1, items: { type: 'string', format: 'uuid' } }), ['00000000-0000-4000-8000-000000000000']);
  assert.deepEqual(placeholderValue({ anyOf: [{ type: 'null' }, { type: 'string' }] }), PLACEHOLDER);
});

test('the catalogue: four cases per scoped operation, three without a scope, stable ids, mutating marked', () => {
  const cat = sweepCatalogue(read(FIXTURE));
  assert.deepEqual(cat.map((s) => s.id), [
    'auth-get-widget-400-no-authorization',
    'auth-get-widget-400-non-bearer-scheme',
    'auth-get-widget-403-invalid_api_token-unknown-bearer',
    'auth-get-widget-403-scope_not_granted',
    'auth-delete-widget-400-no-authorization',
    'auth-delete-widget-400-non-bearer-scheme',
    'auth-delete-widget-403-invalid_api_token-unknown-bearer',
    'auth-delete-widget-403-scope_not_granted',
    'auth-get-widget_colours-400-no-authorization',
    'auth-get-widget_colours-400-non-bearer-scheme',
    'auth-get-widget_colours-403-invalid_api_token-unknown-bearer',
  ]);
  for (const s of cat) {
    assert.equal(s.kind, 'auth_layer');
    assert.equal(s.mutating, s.operation.method === 'DELETE');
  }
  assert.deepEqual(cat.find((s) => s.id === 'auth-get-widget-403-scope_not_granted')!.scopes, ['widgets', 'widgets:read']);
  assert.equal(cat.find((s) => s.id === 'auth-get-widget-403-scope_not_granted')!.state, 'token_can_regenerate');
  assert.deepEqual(sweepCatalogue(read(FIXTURE), { exclude: ['get:widget', 'delete:widget'] }).map((s) => s.operation.id), Array(3).fill('get:widget_colours'));
});

test('scope donors: token_can_regenerate outside token management, scope_not_granted for api_tokens alone, else skipped with the reason', () => {
  assert.deepEqual(scopeDonor(['virtual_machines']), { state: 'token_can_regenerate' });
  assert.deepEqual(scopeDonor(['api_tokens']), { state: 'scope_not_granted' });
  const none = scopeDonor(['api_tokens', 'api_tokens:read']);
  assert.ok('skip' in none && /api_tokens, api_tokens:read/.test(none.skip), JSON.stringify(none));
});

test('the project spec gives no sweep scenario once its own operation is excluded (the default run is unchanged)', () => {
  const ops = read(join(REPO_ROOT, 'specs/regenerate-secret.openapi.json'));
  assert.equal(ops.length, 1);
  assert.equal(ops[0]!.authenticator400, true);
  assert.deepEqual(sweepCatalogue(ops, { exclude: ['post:api_token_regenerate_secret'] }), []);
});

test('the vendor Core API: every operation documents the authenticator 400; 727 sweep scenarios besides regenerate_secret', (t) => {
  const missing = coreDocumentMissing('the whole-API catalogue');
  if (missing) {
    t.skip(missing);
    return;
  }
  const ops = read(CORE);
  assert.equal(ops.length, 189);
  assert.equal(ops.filter((o) => o.authenticator400).length, 189);
  assert.equal(ops.filter((o) => o.authenticator400Component).length, 184);
  assert.equal(ops.filter((o) => o.scopes.length === 0).length, 25);
  const cat = sweepCatalogue(ops, { exclude: ['post:api_token_regenerate_secret'] });
  assert.equal(new Set(cat.map((s) => s.operation.id)).size, 188);
  assert.equal(cat.length, 188 * 3 + 163);
  assert.equal(new Set(cat.map((s) => s.id)).size, cat.length, 'ids are unique');
  assert.deepEqual(cat.filter((s) => s.skip).map((s) => s.id), ['auth-get-organization_api_tokens-403-scope_not_granted']);
  // Katapult ids look like "vm_a1B2c3D4": no value sent may have that shape.
  const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : []);
  for (const s of cat) {
    const query = [...new URLSearchParams(s.request.path.split('?')[1] ?? '').values()];
    for (const value of [...strings(s.request.body), ...query]) assert.doesNotMatch(value, /^[a-z]+_[A-Za-z0-9]{6,}$/, `${s.id} sends ${value}`);
  }
});
