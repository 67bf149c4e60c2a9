/**
 * The reference mock's `live` personality, in-process over real HTTP: the
 * vendor framework's wrapped errors and 400 codes, the token-management
 * operations (list, create, delete) with organization lookup by id or
 * sub-domain, the per-token rate limit, and no provider-state endpoint.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMock, type Mock, type MockAddress, type MockOptions } from '../../src/mock/server.ts';
import { parseJsonOrUndefined } from '../../src/model/json.ts';

const OP = '/api_tokens/api_token/regenerate_secret';
const TOKENS = '/organizations/organization/api_tokens';
const TOKEN = '/api_tokens/api_token';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function call(addr: MockAddress, method: string, path: string, opts: { bearer?: string; body?: unknown; raw?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(addr.baseUrl + path, { method, headers, body });
  const text = await res.text();
  const json: unknown = parseJsonOrUndefined(text);
  return { status: res.status, headers: res.headers, text, json };
}

/** A wrapped framework error: {"error": {code, description, detail}} with x-api-schema: json-error. */
function assertWrapped(a: Answer, status: number, code: string): any {
  assert.equal(a.status, status, `expected ${status} ${code}, got ${a.status} ${a.text}`);
  assert.equal(a.headers.get('x-api-schema'), 'json-error');
  assert.match(a.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(a.json), ['error']);
  assert.deepEqual(Object.keys(a.json.error).sort(), ['code', 'description', 'detail']);
  assert.equal(a.json.error.code, code);
  assert.equal(typeof a.json.error.description, 'string');
  assert.ok(a.json.error.detail !== null && typeof a.json.error.detail === 'object' && !Array.isArray(a.json.error.detail));
  return a.json.error.detail;
}

async function started(options: MockOptions = {}) {
  const mock = createMock({ personality: 'live', ...options });
  const addr = await mock.listen(0);
  const account = mock.live!;
  const admin = account.adminToken;
  const org = account.organization;
  const create = async (properties: Record<string, unknown>, bearer = admin) =>
    call(addr, 'POST', TOKENS, { bearer, body: { organization: { id: org.id }, properties: { name: 'conformance-suite-test', ...properties } } });
  const list = async (query = `organization[sub_domain]=${org.sub_domain}`, bearer = admin) => call(addr, 'GET', `${TOKENS}?${query}`, { bearer });
  return { mock, addr, account, admin, org, create, list };
}

describe('live personality: the organization and admin token created at start', () => {
  let s: Awaited<ReturnType<typeof started>>;
  before(async () => (s = await started()));
  after(() => s.mock.close());

  test('the account is exposed, the admin token lists its organization by sub-domain and by id alike', async () => {
    assert.match(s.org.id, /^org_/);
    assert.equal(s.org.sub_domain, 'conformance-rehearsal');
    const bySub = await s.list();
    const byId = await s.list(`organization[id]=${s.org.id}`);
    assert.equal(bySub.status, 200, bySub.text);
    assert.deepEqual(byId.json, bySub.json);
    assert.equal(bySub.headers.get('x-api-schema'), null, '200 bodies are never wrapped');
    assert.deepEqual(bySub.json.api_tokens.map((t: any) => t.id), [s.account.adminTokenId]);
    assert.deepEqual(bySub.json.pagination, { current_page: 1, total_pages: 1, total: 1, per_page: 30, large_set: false });
    assert.ok(!bySub.text.includes(s.admin), 'a list never shows a secret');
    assert.ok(!('secret' in bySub.json.api_tokens[0]));
  });

  test('there is no provider-state endpoint, as on staging', async () => {
    const res = await fetch(`${s.addr.origin}/_provider-states`, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'x' } }) });
    const text = await res.text();
    assert.equal(res.status, 404);
    assert.equal(JSON.parse(text).error.code, 'route_not_found');
  });

  test('the organization lookup: exactly one of id and sub_domain, known, and the caller\'s own', async () => {
    assertWrapped(await s.list(''), 400, 'missing_required_argument');
    assertWrapped(await s.list(`organization[id]=${s.org.id}&organization[sub_domain]=${s.org.sub_domain}`), 400, 'invalid_argument');
    assertWrapped(await s.list('organization[sub_domain]=no-such-org'), 404, 'organization_not_found');
    assertWrapped(await s.list(`organization[id]=${s.account.other.organization.id}`), 403, 'permission_denied');
    assertWrapped(await s.list(undefined, s.account.other.adminToken), 403, 'permission_denied');
    assertWrapped(await s.list('organization[sub_domain]=conformance-rehearsal&per_page=0'), 400, 'invalid_argument');
  });

  test('authentication comes first and is wrapped: no header 400 missing_api_token, unknown bearer 403 invalid_api_token', async () => {
    assertWrapped(await call(s.addr, 'GET', `${TOKENS}?organization[id]=${s.org.id}`), 400, 'missing_api_token');
    assertWrapped(await s.list(undefined, 'not-a-token-anyone-issued'), 403, 'invalid_api_token');
  });
});

describe('live personality: create, list and delete API tokens', () => {
  let s: Awaited<ReturnType<typeof started>>;
  before(async () => (s = await started()));
  after(() => s.mock.close());

  test('create answers the token with its secret (vendor shape); it lists without secret, and deletes', async () => {
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const created = await s.create({ name: 'conformance-suite-a', scopes: ['api_tokens'], authorized_ip_addresses: ['127.0.0.0/8'], expires_at: expires }, s.admin);
    assert.equal(created.status, 200, created.text);
    const t = created.json.api_token;
    assert.deepEqual(Object.keys(created.json).sort(), ['annotations', 'api_token']);
    assert.deepEqual(created.json.annotations, []);
    assert.match(t.id, /^apitok_/);
    assert.equal(t.name, 'conformance-suite-a');
    assert.equal(t.organization_id, s.org.id);
    assert.deepEqual(t.scopes, ['api_tokens']);
    assert.deepEqual(t.authorized_ip_addresses, ['127.0.0.0/8']);
    assert.equal(t.expires_at, expires);
    assert.equal(t.rate_limit, 60);
    assert.equal(typeof t.secret, 'string');

    const listed = await s.list();
    assert.deepEqual(listed.json.api_tokens.map((x: any) => x.id), [s.account.adminTokenId, t.id]);
    assert.ok(!listed.text.includes(t.secret));

    // The new token works on the operation (it regenerates itself).
    const regen = await call(s.addr, 'POST', OP, { bearer: t.secret, body: { api_token: { id: t.id } } });
    assert.equal(regen.status, 200, regen.text);
    assert.notEqual(regen.json.api_token.secret, t.secret);

    const deleted = await call(s.addr, 'DELETE', TOKEN, { bearer: s.admin, body: { api_token: { id: t.id } } });
    assert.equal(deleted.status, 200, deleted.text);
    assert.deepEqual(deleted.json, { api_token: { id: t.id, name: 'conformance-suite-a' } });
    assertWrapped(await call(s.addr, 'DELETE', TOKEN, { bearer: s.admin, body: { api_token: { id: t.id } } }), 404, 'api_token_not_found');
    assert.deepEqual((await s.list()).json.api_tokens.map((x: any) => x.id), [s.account.adminTokenId]);
    // Its secret is gone with it.
    assertWrapped(await call(s.addr, 'POST', OP, { bearer: regen.json.api_token.secret, body: { api_token: { id: t.id } } }), 403, 'invalid_api_token');
  });

  test('delete also takes the id as a query parameter, and refuses a token of another organization', async () => {
    const t = (await s.create({ scopes: ['api_tokens'] })).json.api_token;
    const other = (await call(s.addr, 'POST', TOKENS, { bearer: s.account.other.adminToken, body: { organization: { id: s.account.other.organization.id }, properties: { name: 'other' } } })).json.api_token;
    assertWrapped(await call(s.addr, 'DELETE', TOKEN, { bearer: s.admin, body: { api_token: { id: other.id } } }), 403, 'permission_denied');
    const byQuery = await call(s.addr, 'DELETE', `${TOKEN}?api_token[id]=${encodeURIComponent(t.id)}`, { bearer: s.admin });
    assert.equal(byQuery.status, 200, byQuery.text);
    assertWrapped(await call(s.addr, 'DELETE', TOKEN, { bearer: s.admin }), 400, 'missing_required_argument');
  });

  test('pagination: page and per_page', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await s.create({ name: `page-${i}` })).json.api_token.id);
    const page2 = await s.list(`organization[id]=${s.org.id}&per_page=2&page=2`);
    assert.equal(page2.status, 200, page2.text);
    assert.deepEqual(page2.json.pagination, { current_page: 2, total_pages: 2, total: 4, per_page: 2, large_set: false });
    assert.deepEqual(page2.json.api_tokens.map((t: any) => t.id), ids.slice(1));
    for (const id of ids) assert.equal((await call(s.addr, 'DELETE', TOKEN, { bearer: s.admin, body: { api_token: { id } } })).status, 200);
  });

  test('bad create input: the framework\'s 400 codes for the shape, 422 validation_error for the values', async () => {
    const org = { id: s.org.id };
    assertWrapped(await call(s.addr, 'POST', TOKENS, { bearer: s.admin, raw: '{"organization": ' }), 400, 'invalid_json_body');
    assertWrapped(await call(s.addr, 'POST', TOKENS, { bearer: s.admin, body: { properties: { name: 'x' } } }), 400, 'missing_required_argument');
    assertWrapped(await call(s.addr, 'POST', TOKENS, { bearer: s.admin, body: { organization: org } }), 400, 'missing_required_argument');
    assertWrapped(await call(s.addr, 'POST', TOKENS, { bearer: s.admin, body: { organization: org, properties: 'x' } }), 400, 'invalid_argument');
    assertWrapped(await s.create({ scopes: 'api_tokens' }), 400, 'invalid_argument');
    assertWrapped(await s.create({ expires_at: 'tomorrow' }), 400, 'invalid_argument');
    assertWrapped(await s.create({ authorized_ip_addresses: [1] }), 400, 'invalid_argument');
    assert.deepEqual(assertWrapped(await s.create({ name: '' }), 422, 'validation_error').errors, ["Name can't be blank"]);
    assert.match(assertWrapped(await s.create({ authorized_ip_addresses: ['not-an-ip'] }), 422, 'validation_error').errors[0], /not-an-ip/);
    assert.deepEqual(assertWrapped(await s.create({ expires_at: 1000 }), 422, 'validation_error').errors, ['Expires at must be in the future']);
    assertWrapped(await call(s.addr, 'POST', TOKENS, { bearer: s.admin, body: { organization: { sub_domain: 'nope' }, properties: { name: 'x' } } }), 404, 'organization_not_found');
    assertWrapped(await call(s.addr, 'POST', TOKENS, { bearer: s.admin, body: { organization: { id: s.account.other.organization.id }, properties: { name: 'x' } } }), 403, 'permission_denied');
    assert.equal((await s.list()).json.api_tokens.length, 1, 'nothing was created by refused requests');
  });

  test('scopes: api_tokens:read may list but not create or delete (403 scope_not_granted naming api_tokens)', async () => {
    const reader = (await s.create({ name: 'reader', scopes: ['api_tokens:read'] })).json.api_token;
    assert.equal((await s.list(undefined, reader.secret)).status, 200);
    assert.deepEqual(assertWrapped(await s.create({ name: 'x' }, reader.secret), 403, 'scope_not_granted').scopes, ['api_tokens']);
    assertWrapped(await call(s.addr, 'DELETE', TOKEN, { bearer: reader.secret, body: { api_token: { id: reader.id } } }), 403, 'scope_not_granted');
    // The OAuth2 form of a scope is the same scope.
    const oauth = (await s.create({ name: 'oauth', scopes: ['api.katapult.io/core/v1/api_tokens'] })).json.api_token;
    assert.equal((await s.list(undefined, oauth.secret)).status, 200);
    // And on the operation itself, the read scope is refused with the documented 403.
    assert.deepEqual(assertWrapped(await call(s.addr, 'POST', OP, { bearer: reader.secret, body: { api_token: { id: reader.id } } }), 403, 'scope_not_granted').scopes, ['api_tokens']);
    for (const id of [reader.id, oauth.id]) await call(s.addr, 'DELETE', TOKEN, { bearer: s.admin, body: { api_token: { id } } });
  });
});

describe('live personality: the operation behind the framework', () => {
  let s: Awaited<ReturnType<typeof started>>;
  let token: { id: string; secret: string };
  before(async () => {
    s = await started();
    token = (await s.create({ name: 'bad-input', scopes: ['api_tokens'] })).json.api_token;
  });
  after(() => s.mock.close());

  test('bad input is refused with the framework\'s own 400 codes, wrapped', async () => {
    const cases: [string | undefined, unknown, string][] = [
      [undefined, undefined, 'missing_required_argument'],
      ['{"api_token": {"id": ', undefined, 'invalid_json_body'],
      ['[1, 2]', undefined, 'invalid_json_body'],
      [undefined, {}, 'missing_required_argument'],
      [undefined, { api_token: {} }, 'missing_required_argument'],
      [undefined, { api_token: 'x' }, 'invalid_argument'],
      [undefined, { api_token: { id: 5 } }, 'invalid_argument'],
    ];
    for (const [raw, body, code] of cases) {
      const detail = assertWrapped(await call(s.addr, 'POST', OP, { bearer: token.secret, raw, body }), 400, code);
      if (code !== 'invalid_json_body') assert.match(detail.argument, /^api_token/);
    }
  });

  test('the documented errors come wrapped with the documented codes', async () => {
    assertWrapped(await call(s.addr, 'POST', OP, { body: { api_token: { id: token.id } } }), 400, 'missing_api_token');
    assertWrapped(await call(s.addr, 'POST', OP, { bearer: 'nobody-issued-this', body: { api_token: { id: token.id } } }), 403, 'invalid_api_token');
    assertWrapped(await call(s.addr, 'POST', OP, { bearer: token.secret, body: { api_token: { id: 'apitok_missing' } } }), 404, 'api_token_not_found');
    const other = (await call(s.addr, 'POST', TOKENS, { bearer: s.account.other.adminToken, body: { organization: { id: s.account.other.organization.id }, properties: { name: 'o' } } })).json.api_token;
    assertWrapped(await call(s.addr, 'POST', OP, { bearer: token.secret, body: { api_token: { id: other.id } } }), 403, 'permission_denied');
  });

  test('a token allowed only from a documentation network is refused with the caller\'s address', async () => {
    const t = (await s.create({ name: 'net', scopes: ['api_tokens'], authorized_ip_addresses: ['192.0.2.0/24'] })).json.api_token;
    const detail = assertWrapped(await call(s.addr, 'POST', OP, { bearer: t.secret, body: { api_token: { id: t.id } } }), 403, 'unauthorized_network_for_api_token');
    assert.equal(detail.ip_address, '127.0.0.1');
  });

  test('a token created with a short expiry is refused with 403 invalid_api_token once it has expired', async () => {
    const t = (await s.create({ name: 'expiring', scopes: ['api_tokens'], expires_at: Math.floor(Date.now() / 1000) + 1 })).json.api_token;
    await new Promise((r) => setTimeout(r, (t.expires_at + 0.2) * 1000 - Date.now()));
    assertWrapped(await call(s.addr, 'POST', OP, { bearer: t.secret, body: { api_token: { id: t.id } } }), 403, 'invalid_api_token');
  });

  test('faults still break the operation in this personality', async () => {
    const faulty = await started({ faults: ['scope-detail-wrong'] });
    try {
      const reader = (await faulty.create({ name: 'r', scopes: ['api_tokens:read'] })).json.api_token;
      const detail = assertWrapped(await call(faulty.addr, 'POST', OP, { bearer: reader.secret, body: { api_token: { id: reader.id } } }), 403, 'scope_not_granted');
      assert.deepEqual(detail.scopes, ['api_tokens:read']);
      // ... but never the token management.
      assert.equal((await faulty.list()).status, 200);
    } finally {
      await faulty.mock.close();
    }
  });
});

describe('live personality: the per-token rate limit', () => {
  test('every authenticated request counts; over rate_limit the token gets 429 rate_limit_reached with total_permitted, others do not', async () => {
    const s = await started({ live: { tokenRateLimit: 5, rateLimitWindowMs: 60_000 } });
    try {
      const a = (await s.create({ name: 'a', scopes: ['api_tokens'] })).json.api_token;
      const b = (await s.create({ name: 'b', scopes: ['api_tokens'] })).json.api_token;
      const probe = (secret: string) => call(s.addr, 'POST', OP, { bearer: secret, body: { api_token: { id: 'apitok_missing' } } });
      for (let i = 0; i < 5; i++) assert.equal((await probe(a.secret)).status, 404, `request ${i + 1} is within the limit`);
      const over = await probe(a.secret);
      assert.equal(assertWrapped(over, 429, 'rate_limit_reached').total_permitted, 5);
      assert.equal((await probe(b.secret)).status, 404, 'another token has its own window');
      assert.equal((await s.list()).status, 200, 'the admin token has its own, larger limit');
    } finally {
      await s.mock.close();
    }
  });

  test('the window ends: the token is served again', async () => {
    // A window long enough for three requests on a loaded CI machine.
    const s = await started({ live: { tokenRateLimit: 2, rateLimitWindowMs: 2000 } });
    try {
      const a = (await s.create({ name: 'a', scopes: ['api_tokens'] })).json.api_token;
      const probe = () => call(s.addr, 'POST', OP, { bearer: a.secret, body: { api_token: { id: 'apitok_missing' } } });
      assert.deepEqual([(await probe()).status, (await probe()).status, (await probe()).status], [404, 404, 429]);
      await new Promise((r) => setTimeout(r, 2100));
      assert.equal((await probe()).status, 404);
    } finally {
      await s.mock.close();
    }
  });

  test('the documented personality has no such limit and none of these routes', async () => {
    const mock: Mock = createMock();
    const addr = await mock.listen(0);
    try {
      assert.equal(mock.live, undefined);
      const st = await (await fetch(addr.stateUrl, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'x' } }) })).json();
      for (let i = 0; i < 700; i++) {
        const a = await call(addr, 'POST', OP, { bearer: st.bearer, body: { api_token: { id: 'apitok_missing' } } });
        assert.equal(a.status, 404, `request ${i + 1}`);
      }
      const list = await call(addr, 'GET', `${TOKENS}?organization[id]=x`, { bearer: st.bearer });
      assert.equal(list.status, 404);
      assert.equal(list.json.code, 'route_not_found');
    } finally {
      await mock.close();
    }
  });

  test('live options are validated', () => {
    assert.throws(() => createMock({ personality: 'live', live: { tokenRateLimit: 0 } }), /live\.tokenRateLimit must be a positive integer/);
    assert.throws(() => createMock({ personality: 'live', live: { organizationSubDomain: 'Not Valid' } }), /organizationSubDomain/);
  });
});
