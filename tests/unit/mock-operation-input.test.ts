/**
 * The reference mock's operation, in-process over real HTTP: bad input, a
 * body too large, routing, the base path, and callers by address family.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMock, type Mock, type MockAddress } from '../../src/mock/server.ts';
import { answer, assertError, client, idBody, OP, started } from '../support/mock-operation-client.ts';

describe('documented personality: input and routing', () => {
  let mock: Mock;
  let addr: MockAddress;
  let c: ReturnType<typeof client>;
  before(async () => ({ mock, addr, c } = await started()));
  after(() => mock.close());

  describe('bad input (authenticated) is 422 validation_error saying what is wrong', () => {
    const cases: [string, unknown, RegExp][] = [
      ['no body', undefined, /body is required/],
      ['empty string body', '', /body is required/],
      ['not JSON', 'this is not json', /not valid JSON/],
      ['truncated JSON', '{"api_token": {"id": ', /not valid JSON/],
      ['{}', {}, /api_token is required/],
      ['{"api_token": {}}', { api_token: {} }, /api_token\.id is required/],
      ['{"api_token": "x"}', { api_token: 'x' }, /api_token must be an object/],
      ['{"api_token": null}', { api_token: null }, /api_token must be an object/],
      ['{"api_token": []}', { api_token: [] }, /api_token must be an object/],
      ['{"api_token": {"id": 5}}', { api_token: { id: 5 } }, /api_token\.id must be a string/],
      ['{"api_token": {"id": null}}', { api_token: { id: null } }, /api_token\.id must be a string/],
      ['an array', [idBody('x')], /must be a JSON object/],
      ['null', 'null', /must be a JSON object/],
      ['a number', '42', /must be a JSON object/],
    ];
    for (const [name, body, message] of cases) {
      test(name, async () => {
        const s = await c.state('token_can_regenerate');
        const a = await c.regen({ bearer: s.bearer, body });
        const detail = assertError(a, 422, 'validation_error');
        assert.ok(detail.errors.length > 0 && detail.errors.every((e: unknown) => typeof e === 'string'));
        assert.match(detail.errors.join(' '), message);
        assert.ok(!a.text.includes(s.bearer));
      });
    }
  });

  test('a body over 1 MiB is refused with 422 (after authentication) and the mock keeps serving', async () => {
    const s = await c.state('token_can_regenerate');
    const big = JSON.stringify({ api_token: { id: s.api_token.id }, pad: 'x'.repeat(1024 * 1024) });
    const a = await c.regen({ bearer: s.bearer, body: big });
    assert.match(assertError(a, 422, 'validation_error').errors[0], /exceeds/);
    assertError(await c.regen({ body: big }), 400, 'missing_api_token');
    // Exactly 1 MiB of body is accepted.
    const pad = 1024 * 1024 - JSON.stringify({ api_token: { id: s.api_token.id }, p: '' }).length;
    const exact = JSON.stringify({ api_token: { id: s.api_token.id }, p: 'y'.repeat(pad) });
    assert.equal(Buffer.byteLength(exact), 1024 * 1024);
    assert.equal((await c.regen({ bearer: s.bearer, body: exact })).status, 200);
  });

  test('other paths answer 404 route_not_found, other methods 405 with Allow, both JSON', async () => {
    for (const path of ['/', '/core/v1', `/core/v1${OP}/`, `/core/v2${OP}`, '/core/v1/api_tokens']) {
      const a = await answer(await fetch(addr.origin + path, { method: 'POST' }));
      assert.equal(a.status, 404, path);
      assert.equal(a.contentType, 'application/json; charset=utf-8');
      assert.equal(a.json.code, 'route_not_found');
      assert.equal(typeof a.json.description, 'string');
      assert.equal(a.json.detail.path, path);
    }
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const a = await answer(await fetch(addr.baseUrl + OP, { method }));
      assert.equal(a.status, 405, method);
      assert.equal(a.headers.get('allow'), 'POST');
      assert.equal(a.contentType, 'application/json; charset=utf-8');
      assert.equal(a.json.code, 'method_not_allowed');
    }
    const head = await fetch(addr.baseUrl + OP, { method: 'HEAD' });
    assert.equal(head.status, 405);
    assert.equal((await answer(await fetch(addr.stateUrl))).status, 405);
  });

  test('a query string does not change the route', async () => {
    const s = await c.state('token_can_regenerate');
    const a = await answer(await fetch(`${addr.baseUrl}${OP}?x=1`, { method: 'POST', headers: { authorization: `Bearer ${s.bearer}` }, body: JSON.stringify(idBody(s.api_token.id)) }));
    assert.equal(a.status, 200);
  });
});

test('basePath option moves the operation (normalised), not the state endpoint', async () => {
  const { mock, addr, c } = await started({ basePath: 'api/' });
  try {
    assert.equal(addr.baseUrl, `${addr.origin}/api`);
    assert.equal(addr.stateUrl, `${addr.origin}/_provider-states`);
    const s = await c.state('token_can_regenerate');
    assert.equal((await c.regen({ bearer: s.bearer, body: idBody(s.api_token.id) })).status, 200);
    assert.equal((await fetch(`${addr.origin}/core/v1${OP}`, { method: 'POST' })).status, 404);
  } finally {
    await mock.close();
  }
});

test('IPv4-mapped callers are judged (and named) as IPv4', async (t) => {
  const mock = createMock();
  let addr: MockAddress;
  try {
    addr = await mock.listen(0, '::');
  } catch {
    t.skip('no IPv6 dual-stack listener here');
    return;
  }
  try {
    const port = new URL(addr.origin).port;
    const v4 = client({ origin: `http://127.0.0.1:${port}`, baseUrl: `http://127.0.0.1:${port}/core/v1`, stateUrl: `http://127.0.0.1:${port}/_provider-states` });
    const net = await v4.state('network_not_authorized');
    assert.deepEqual(assertError(await v4.regen({ bearer: net.bearer, body: idBody(net.api_token.id) }), 403, 'unauthorized_network_for_api_token'), { ip_address: '127.0.0.1' });
    const ok = await v4.state('token_can_regenerate');
    assert.equal((await v4.regen({ bearer: ok.bearer, body: idBody(ok.api_token.id) })).status, 200);
  } finally {
    await mock.close();
  }
});

test('an IPv6 loopback caller is admitted by ::1 and named in the network error', async (t) => {
  const mock = createMock();
  let addr: MockAddress;
  try {
    addr = await mock.listen(0, '::1');
  } catch {
    t.skip('no IPv6 loopback here');
    return;
  }
  try {
    assert.match(addr.origin, /^http:\/\/\[::1\]:\d+$/);
    const c = client(addr);
    const ok = await c.state('token_can_regenerate');
    assert.equal((await c.regen({ bearer: ok.bearer, body: idBody(ok.api_token.id) })).status, 200);
    const net = await c.state('network_not_authorized');
    assert.deepEqual(assertError(await c.regen({ bearer: net.bearer, body: idBody(net.api_token.id) }), 403, 'unauthorized_network_for_api_token'), { ip_address: '::1' });
  } finally {
    await mock.close();
  }
});

test('createMock refuses an unknown fault or personality', () => {
  assert.throws(() => createMock({ faults: ['no-such-fault' as never] }), /unknown fault "no-such-fault"/);
  assert.throws(() => createMock({ personality: 'staging' as never }), /unknown personality "staging"/);
});
