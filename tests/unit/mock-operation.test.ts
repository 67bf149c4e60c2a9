/**
 * The reference mock's operation, in-process over real HTTP: every documented
 * status and variant and the order of judgement. Bad input, routing and
 * addressing: mock-operation-input.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Mock, MockAddress } from '../../src/mock/server.ts';
import { assertError, client, DOCUMENTED_FIELDS, idBody, started } from '../support/mock-operation-client.ts';

describe('documented personality', () => {
  let mock: Mock;
  let addr: MockAddress;
  let c: ReturnType<typeof client>;
  before(async () => ({ mock, addr, c } = await started()));
  after(() => mock.close());

  test('listen() answers origin, baseUrl and stateUrl', () => {
    assert.match(addr.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(addr.baseUrl, `${addr.origin}/core/v1`);
    assert.equal(addr.stateUrl, `${addr.origin}/_provider-states`);
  });

  test('200: a new url-safe secret, every other field unchanged, old secret rejected, new one authenticates', async () => {
    const s = await c.state('token_can_regenerate');
    assert.notEqual(s.bearer, s.secret);
    const a = await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.contentType, 'application/json; charset=utf-8');
    assert.deepEqual(Object.keys(a.json), ['api_token']);
    const t = a.json.api_token;
    assert.deepEqual(Object.keys(t).sort(), DOCUMENTED_FIELDS);
    const { secret, ...rest } = t;
    assert.deepEqual(rest, s.api_token, 'fields other than the secret are unchanged');
    assert.equal(typeof secret, 'string');
    assert.match(secret, /^[A-Za-z0-9_-]{32,}$/);
    assert.notEqual(secret, s.secret);

    const old = await c.regen({ bearer: s.secret, body: idBody('apitok_doesnotexist') });
    assertError(old, 403, 'invalid_api_token');
    const fresh = await c.regen({ bearer: secret, body: idBody('apitok_doesnotexist') });
    assertError(fresh, 404, 'api_token_not_found');

    const second = await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) });
    assert.equal(second.status, 200);
    assert.notEqual(second.json.api_token.secret, secret);
    assert.notEqual(second.json.api_token.secret, s.secret);
    assertError(await c.regen({ bearer: secret, body: idBody('x') }), 403, 'invalid_api_token');
    assert.ok(mock.issuedSecrets().includes(secret) && mock.issuedSecrets().includes(second.json.api_token.secret));
  });

  test("the state's secret authenticates before regeneration; a token may regenerate its own secret", async () => {
    const s = await c.state('token_can_regenerate');
    assertError(await c.regen({ bearer: s.secret, body: idBody('nope') }), 404, 'api_token_not_found');
    const own = await c.regen({ bearer: s.secret, body: idBody(s.api_token.id) });
    assert.equal(own.status, 200);
    assertError(await c.regen({ bearer: s.secret, body: idBody('nope') }), 403, 'invalid_api_token');
  });

  test('400 missing_api_token: no header, other schemes, empty bearer', async () => {
    const s = await c.state('token_can_regenerate');
    const body = idBody(s.api_token.id);
    for (const authorization of [undefined, `Basic ${Buffer.from('a:b').toString('base64')}`, `Token ${s.bearer}`, 'Bearer', 'Bearer    ', s.bearer, `Bearer:${s.bearer}`]) {
      const a = await c.regen({ authorization, body });
      const detail = assertError(a, 400, 'missing_api_token');
      assert.deepEqual(detail, {}, `authorization ${authorization}`);
    }
  });

  test('the Bearer scheme is case-insensitive', async () => {
    const s = await c.state('token_can_regenerate');
    assert.equal((await c.regen({ authorization: `bearer ${s.bearer}`, body: idBody(s.api_token.id) })).status, 200);
    assert.equal((await c.regen({ authorization: `BEARER ${s.bearer}`, body: idBody(s.api_token.id) })).status, 200);
  });

  test('authentication is judged before the body', async () => {
    for (const body of [undefined, '', 'not json', {}, { api_token: 'x' }]) {
      assertError(await c.regen({ body }), 400, 'missing_api_token');
    }
    assertError(await c.regen({ bearer: 'unknown-secret', body: 'not json' }), 403, 'invalid_api_token');
    const scope = await c.state('scope_not_granted');
    assertError(await c.regen({ bearer: scope.bearer, body: '{' }), 403, 'scope_not_granted');
    const net = await c.state('network_not_authorized');
    assertError(await c.regen({ bearer: net.bearer, body: idBody('unknown') }), 403, 'unauthorized_network_for_api_token');
  });

  test('403 invalid_api_token for an unknown bearer: details null, no secret echoed', async () => {
    const a = await c.regen({ bearer: 'this-secret-does-not-exist', body: idBody('x') });
    assert.deepEqual(assertError(a, 403, 'invalid_api_token'), { details: null });
    assert.ok(!a.text.includes('this-secret-does-not-exist'));
  });

  test('403 invalid_api_token for an expired token, without its secret in the body', async () => {
    const s = await c.state('token_expired');
    const a = await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) });
    const detail = assertError(a, 403, 'invalid_api_token');
    assert.ok(detail.details === null || typeof detail.details === 'string');
    assert.ok(!a.text.includes(s.bearer));
  });

  test('403 unauthorized_network_for_api_token names the caller IP', async () => {
    const s = await c.state('network_not_authorized');
    const detail = assertError(await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) }), 403, 'unauthorized_network_for_api_token');
    assert.deepEqual(detail, { ip_address: '127.0.0.1' });
  });

  test('403 invalid_capabilities_token when the state headers are sent (and only then)', async () => {
    const s = await c.state('capabilities_token_invalid');
    assert.equal(typeof s.headers['X-Capabilities-Token'], 'string');
    assertError(await c.regen({ bearer: s.bearer, headers: s.headers, body: idBody(s.api_token.id) }), 403, 'invalid_capabilities_token');
    assertError(await c.regen({ bearer: s.bearer, headers: { 'X-Capabilities-Token': '' }, body: idBody(s.api_token.id) }), 403, 'invalid_capabilities_token');
    assert.equal((await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) })).status, 200);
  });

  test('403 scope_not_granted names api_tokens', async () => {
    const s = await c.state('scope_not_granted');
    const detail = assertError(await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) }), 403, 'scope_not_granted');
    assert.deepEqual(detail, { scopes: ['api_tokens'] });
  });

  test('403 permission_denied for a token of another organization; it is not regenerated', async () => {
    const s = await c.state('permission_denied');
    const detail = assertError(await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) }), 403, 'permission_denied');
    assert.equal(typeof detail.details, 'string');
    assert.equal(mock.issuedSecrets().length, new Set(mock.issuedSecrets()).size);
  });

  test('404 api_token_not_found for an unknown id (and an empty one)', async () => {
    const s = await c.state('token_can_regenerate');
    assert.deepEqual(assertError(await c.regen({ bearer: s.bearer, body: idBody('apitok_unknown') }), 404, 'api_token_not_found'), {});
    assertError(await c.regen({ bearer: s.bearer, body: idBody('') }), 404, 'api_token_not_found');
  });

  test('422 validation_error when the save fails', async () => {
    const s = await c.state('validation_fails');
    const detail = assertError(await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) }), 422, 'validation_error');
    assert.ok(Array.isArray(detail.errors) && detail.errors.length > 0 && detail.errors.every((e: unknown) => typeof e === 'string'));
  });

  test("429 rate_limit_reached with the token's rate limit", async () => {
    const s = await c.state('rate_limit_reached');
    assert.ok(Number.isInteger(s.total_permitted));
    const detail = assertError(await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) }), 429, 'rate_limit_reached');
    assert.deepEqual(detail, { total_permitted: s.total_permitted });
  });

  test('503 service_unavailable', async () => {
    const s = await c.state('service_unavailable');
    assert.deepEqual(assertError(await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) }), 503, 'service_unavailable'), {});
  });
});
