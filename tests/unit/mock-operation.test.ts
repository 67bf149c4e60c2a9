/**
 * The reference mock's operation, in-process over real HTTP: every documented
 * status and variant, the order of judgement, bad input, routing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMock, type Mock, type MockAddress, type MockOptions } from '../../src/mock/server.ts';
import { DESCRIPTIONS } from '../../src/mock/errors.ts';

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  json: any;
  headers: Headers;
}

const OP = '/api_tokens/api_token/regenerate_secret';
const DOCUMENTED_FIELDS = ['authorized_ip_addresses', 'expires_at', 'id', 'name', 'organization_id', 'rate_limit', 'scopes', 'secret'];

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text, json, headers: res.headers };
}

function client(addr: MockAddress) {
  let n = 0;
  return {
    async state(state: string, extra: Record<string, unknown> = {}, instance = `i${++n}`): Promise<any> {
      const res = await fetch(addr.stateUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state, params: { instance }, action: 'setup', ...extra }),
      });
      assert.equal(res.status, 200, `state ${state} setup`);
      return res.json();
    },
    /** body: object -> JSON; string -> sent verbatim; undefined -> no body. */
    async regen(opts: { bearer?: string; authorization?: string; body?: unknown; headers?: Record<string, string> }): Promise<Answer> {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.authorization !== undefined) headers.authorization = opts.authorization;
      else if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
      let body: string | undefined;
      if (typeof opts.body === 'string') body = opts.body;
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] = 'application/json';
      }
      return answer(await fetch(addr.baseUrl + OP, { method: 'POST', headers, body }));
    },
  };
}

const idBody = (id: unknown) => ({ api_token: { id } });

function assertError(a: Answer, status: number, code: string): any {
  assert.equal(a.status, status, `expected ${status} ${code}, got ${a.status} ${a.text}`);
  assert.equal(a.contentType, 'application/json; charset=utf-8');
  assert.deepEqual(Object.keys(a.json).sort(), ['code', 'description', 'detail']);
  assert.equal(a.json.code, code);
  assert.equal(a.json.description, (DESCRIPTIONS as Record<string, string>)[code]);
  assert.ok(a.json.detail !== null && typeof a.json.detail === 'object' && !Array.isArray(a.json.detail), 'detail is an object');
  return a.json.detail;
}

async function started(options?: MockOptions) {
  const mock = createMock(options);
  const addr = await mock.listen(0);
  return { mock, addr, c: client(addr) };
}

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
