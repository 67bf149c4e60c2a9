/**
 * The reference mock's provider-state endpoint: every state's answer, teardown
 * isolation between instances, replacement on repeated setup, protocol errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMock, STATE_NAMES, type Mock, type MockAddress } from '../../src/mock/server.ts';

const OP = '/api_tokens/api_token/regenerate_secret';

let mock: Mock;
let addr: MockAddress;
before(async () => {
  mock = createMock();
  addr = await mock.listen(0);
});
after(() => mock.close());

async function post(body: unknown, raw = false): Promise<{ status: number; contentType: string | null; json: any }> {
  const res = await fetch(addr.stateUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), json: text ? JSON.parse(text) : undefined };
}

async function setup(state: string, instance: string): Promise<any> {
  const r = await post({ state, params: { instance }, action: 'setup' });
  assert.equal(r.status, 200, `${state}/${instance}: ${JSON.stringify(r.json)}`);
  assert.equal(r.contentType, 'application/json; charset=utf-8');
  return r.json;
}

const teardown = (state: string, instance: string) => post({ state, params: { instance }, action: 'teardown' });

async function regen(bearer: string, id: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(addr.baseUrl + OP, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ api_token: { id } }),
  });
  return { status: res.status, json: await res.json() };
}

const TOKEN_FIELDS = ['authorized_ip_addresses', 'expires_at', 'id', 'name', 'organization_id', 'rate_limit', 'scopes'];

function assertTokenView(t: any): void {
  assert.deepEqual(Object.keys(t).sort(), TOKEN_FIELDS, 'api_token has the documented fields and no secret');
  assert.equal(typeof t.id, 'string');
  assert.equal(typeof t.name, 'string');
  assert.equal(typeof t.organization_id, 'string');
  assert.ok(Array.isArray(t.authorized_ip_addresses) && t.authorized_ip_addresses.every((x: unknown) => typeof x === 'string'));
  assert.ok(t.expires_at === null || Number.isInteger(t.expires_at));
  assert.ok(Number.isInteger(t.rate_limit));
  assert.ok(Array.isArray(t.scopes) && t.scopes.every((x: unknown) => typeof x === 'string'));
}

describe('every state answers what the contract lists and arranges what it says', () => {
  const expectations: Record<(typeof STATE_NAMES)[number], { status: number; code?: string; fields: string[] }> = {
    token_can_regenerate: { status: 200, fields: ['api_token', 'bearer', 'secret'] },
    token_expired: { status: 403, code: 'invalid_api_token', fields: ['api_token', 'bearer'] },
    network_not_authorized: { status: 403, code: 'unauthorized_network_for_api_token', fields: ['api_token', 'bearer'] },
    capabilities_token_invalid: { status: 403, code: 'invalid_capabilities_token', fields: ['api_token', 'bearer', 'headers'] },
    scope_not_granted: { status: 403, code: 'scope_not_granted', fields: ['api_token', 'bearer'] },
    permission_denied: { status: 403, code: 'permission_denied', fields: ['api_token', 'bearer'] },
    validation_fails: { status: 422, code: 'validation_error', fields: ['api_token', 'bearer'] },
    rate_limit_reached: { status: 429, code: 'rate_limit_reached', fields: ['api_token', 'bearer', 'total_permitted'] },
    service_unavailable: { status: 503, code: 'service_unavailable', fields: ['api_token', 'bearer'] },
  };

  test('the table covers every exported state name', () => {
    assert.deepEqual(Object.keys(expectations).sort(), [...STATE_NAMES].sort());
  });

  for (const state of STATE_NAMES) {
    test(state, async () => {
      const e = expectations[state];
      const s = await setup(state, `every-${state}`);
      assert.deepEqual(Object.keys(s).sort(), e.fields);
      assertTokenView(s.api_token);
      assert.equal(typeof s.bearer, 'string');
      assert.ok(s.bearer.length >= 32);
      assert.ok(mock.issuedSecrets().includes(s.bearer), 'the bearer is recorded as issued');
      const r = await regen(s.bearer, s.api_token.id, s.headers);
      assert.equal(r.status, e.status, JSON.stringify(r.json));
      if (e.code) assert.equal(r.json.code, e.code);
    });
  }

  test('token_can_regenerate: a target that has api_tokens, admits loopback, and a secret that is not the bearer', async () => {
    const s = await setup('token_can_regenerate', 'details');
    assert.ok(s.api_token.scopes.includes('api_tokens'));
    assert.ok(s.api_token.authorized_ip_addresses.includes('127.0.0.0/8'));
    assert.ok(s.api_token.expires_at === null || s.api_token.expires_at > Date.now() / 1000);
    assert.notEqual(s.secret, s.bearer);
    assert.ok(mock.issuedSecrets().includes(s.secret));
    // The bearer stays valid after the target's regeneration.
    assert.equal((await regen(s.bearer, s.api_token.id)).status, 200);
    assert.equal((await regen(s.bearer, s.api_token.id)).status, 200);
  });

  test('token_expired / permission_denied: the organizations are the ones the contract implies', async () => {
    const expired = await setup('token_expired', 'orgs');
    const other = await setup('permission_denied', 'orgs');
    const ok = await setup('token_can_regenerate', 'orgs');
    assert.notEqual(other.api_token.organization_id, ok.api_token.organization_id, 'fresh organization per setup');
    assert.notEqual(expired.api_token.organization_id, ok.api_token.organization_id);
    // The permission_denied bearer is valid and has the scope: only the target is out of reach.
    assert.equal((await regen(other.bearer, 'apitok_unknown')).status, 404);
  });

  test('rate_limit_reached: total_permitted is an integer and differs from the default limit', async () => {
    const s = await setup('rate_limit_reached', 'limits');
    assert.ok(Number.isInteger(s.total_permitted));
    assert.notEqual(s.total_permitted, s.api_token.rate_limit);
  });

  test('capabilities_token_invalid: headers is an object of string values', async () => {
    const s = await setup('capabilities_token_invalid', 'caps');
    assert.deepEqual(Object.keys(s.headers), ['X-Capabilities-Token']);
    assert.equal(typeof s.headers['X-Capabilities-Token'], 'string');
    assert.ok(!mock.issuedSecrets().includes(s.headers['X-Capabilities-Token']));
  });
});

describe('arrangements are isolated per (state, instance)', () => {
  test('teardown removes exactly what its setup created', async () => {
    const before = mock.tokenCount();
    const a = await setup('token_can_regenerate', 'iso-a');
    const b = await setup('token_can_regenerate', 'iso-b');
    const x = await setup('token_expired', 'iso-a'); // same instance id, another state
    assert.equal(mock.tokenCount(), before + 6);

    const t = await teardown('token_can_regenerate', 'iso-a');
    assert.equal(t.status, 200);
    assert.deepEqual(t.json, {});
    assert.equal(mock.tokenCount(), before + 4);

    assert.equal((await regen(a.bearer, a.api_token.id)).json.code, 'invalid_api_token', "a's bearer is gone");
    assert.equal((await regen(a.secret, 'x')).json.code, 'invalid_api_token', "a's target is gone");
    assert.equal((await regen(b.bearer, a.api_token.id)).status, 404, "a's target id is gone");
    assert.equal((await regen(b.bearer, b.api_token.id)).status, 200, 'b still works');
    assert.equal((await regen(x.bearer, x.api_token.id)).json.code, 'invalid_api_token', 'token_expired/iso-a still arranged');
    assert.equal(mock.tokenCount(), before + 4);

    await teardown('token_can_regenerate', 'iso-b');
    await teardown('token_expired', 'iso-a');
    assert.equal(mock.tokenCount(), before);
  });

  test('teardown also retires secrets handed out by regeneration', async () => {
    const s = await setup('token_can_regenerate', 'iso-regen');
    const r = await regen(s.bearer, s.api_token.id);
    const fresh = r.json.api_token.secret;
    assert.equal((await regen(fresh, 'x')).status, 404);
    await teardown('token_can_regenerate', 'iso-regen');
    assert.equal((await regen(fresh, 'x')).json.code, 'invalid_api_token');
    assert.ok(mock.issuedSecrets().includes(fresh), 'issued secrets are still listed for leak scans');
  });

  test('a repeated setup of the same instance replaces the previous one', async () => {
    const before = mock.tokenCount();
    const first = await setup('token_can_regenerate', 'again');
    const second = await setup('token_can_regenerate', 'again');
    assert.equal(mock.tokenCount(), before + 2);
    assert.notEqual(first.bearer, second.bearer);
    assert.equal((await regen(first.bearer, 'x')).json.code, 'invalid_api_token');
    assert.equal((await regen(second.bearer, second.api_token.id)).status, 200);
    await teardown('token_can_regenerate', 'again');
    assert.equal(mock.tokenCount(), before);
  });

  test('teardown of something never arranged is a harmless 200 {}', async () => {
    const before = mock.tokenCount();
    const t = await teardown('service_unavailable', 'never-set-up');
    assert.equal(t.status, 200);
    assert.deepEqual(t.json, {});
    assert.equal(mock.tokenCount(), before);
  });

  test('action defaults to setup; a numeric instance is accepted', async () => {
    const r = await post({ state: 'token_can_regenerate', params: { instance: 'default-action' } });
    assert.equal(r.status, 200);
    assert.equal(typeof r.json.bearer, 'string');
    assert.equal((await post({ state: 'token_can_regenerate', params: { instance: 7 } })).status, 200);
    await teardown('token_can_regenerate', 'default-action');
    await post({ state: 'token_can_regenerate', params: { instance: 7 }, action: 'teardown' });
  });

  test('many instances coexist', async () => {
    const before = mock.tokenCount();
    const states = await Promise.all(Array.from({ length: 20 }, (_, i) => setup('token_can_regenerate', `many-${i}`)));
    assert.equal(new Set(states.map((s) => s.bearer)).size, 20);
    const results = await Promise.all(states.map((s) => regen(s.bearer, s.api_token.id)));
    assert.ok(results.every((r) => r.status === 200));
    await Promise.all(states.map((_, i) => teardown('token_can_regenerate', `many-${i}`)));
    assert.equal(mock.tokenCount(), before);
  });
});

describe('protocol errors are 400 JSON naming the problem', () => {
  const cases: [string, unknown, boolean, RegExp][] = [
    ['invalid JSON', '{"state": ', true, /not valid JSON/],
    ['empty body', '', true, /not valid JSON/],
    ['an array', [{ state: 'token_can_regenerate' }], false, /JSON object/],
    ['missing state', { params: { instance: 'x' } }, false, /"state" is missing/],
    ['empty state', { state: '', params: { instance: 'x' } }, false, /"state" is missing/],
    ['state not a string', { state: 5, params: { instance: 'x' } }, false, /"state" is missing/],
    ['unknown state', { state: 'token_is_purple', params: { instance: 'x' } }, false, /unknown state "token_is_purple"/],
    ['missing params', { state: 'token_can_regenerate' }, false, /params\.instance/],
    ['missing instance', { state: 'token_can_regenerate', params: {} }, false, /params\.instance/],
    ['empty instance', { state: 'token_can_regenerate', params: { instance: '' } }, false, /params\.instance/],
    ['object instance', { state: 'token_can_regenerate', params: { instance: {} } }, false, /params\.instance/],
    ['unknown action', { state: 'token_can_regenerate', params: { instance: 'x' }, action: 'explode' }, false, /"action"/],
    ['action an object whose toString is no function (fuzz seed 869905487)', { state: 'token_can_regenerate', params: { instance: 'x' }, action: { toString: 1, valueOf: {} } }, false, /"action"/],
    ['action an array of such objects', { state: 'token_can_regenerate', params: { instance: 'x' }, action: [{ toString: 1 }] }, false, /"action"/],
    ['teardown of an unknown state', { state: 'nope', params: { instance: 'x' }, action: 'teardown' }, false, /unknown state/],
  ];
  for (const [name, body, raw, message] of cases) {
    test(name, async () => {
      const before = mock.tokenCount();
      const r = await post(body, raw);
      assert.equal(r.status, 400);
      assert.equal(r.contentType, 'application/json; charset=utf-8');
      assert.equal(r.json.code, 'invalid_state_request');
      assert.match(r.json.description, message);
      assert.equal(typeof r.json.detail, 'object');
      assert.equal(mock.tokenCount(), before, 'nothing was created');
    });
  }

  test('an unknown state lists the known ones', async () => {
    const r = await post({ state: 'nope', params: { instance: 'x' } });
    assert.deepEqual(r.json.detail.known_states, [...STATE_NAMES]);
  });
});
