/**
 * The bundled mock serves the authentication layer of every operation of its
 * documents: 400 / 403 bodies valid against each operation's derived schemas,
 * scopes checked against that operation's documented scopes, state tokens
 * usable across operations, 404 JSON elsewhere, and per-operation faults that
 * break only their operation.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../../src/model/suite-root.ts';
import { deriveDocument } from '../../src/schema/derive.ts';
import { schemaSetFromOperations } from '../../src/schema/schema-set.ts';
import { ResponseValidator } from '../../src/schema/validator.ts';
import { createMock, type Mock, type MockAddress } from '../../src/mock/server.ts';

const FIXTURE = join(REPO_ROOT, 'tests/fixtures/auth-layer/widgets.openapi.json');
const specsDir = mkdtempSync(join(tmpdir(), 'mock-auth-layer-'));
copyFileSync(FIXTURE, join(specsDir, 'widgets.openapi.json'));
copyFileSync(join(REPO_ROOT, 'specs/regenerate-secret.openapi.json'), join(specsDir, 'regenerate-secret.openapi.json'));
const validator = new ResponseValidator(schemaSetFromOperations(deriveDocument(JSON.parse(readFileSync(FIXTURE, 'utf8')), { source: 'widgets' }), 'widgets'));

let mock: Mock;
let address: MockAddress;
let faulty: Mock;
let faultyAddress: MockAddress;

before(async () => {
  mock = createMock({ specsDir });
  address = await mock.listen(0);
  faulty = createMock({ specsDir, authLayerFaults: { 'delete:widget': ['missing-auth-accepted', 'wrong-403-variant'], 'get:widget': ['missing-auth-401', 'scope-ignored'] } });
  faultyAddress = await faulty.listen(0);
});
after(async () => {
  await mock.close();
  await faulty.close();
});

async function call(a: MockAddress, method: string, path: string, auth?: string) {
  const r = await fetch(`${a.baseUrl}/${path}`, { method, headers: auth ? { authorization: auth } : {} });
  return { status: r.status, type: r.headers.get('content-type'), body: await r.json() as any };
}
const state = async (a: MockAddress, name: string) =>
  (await (await fetch(a.stateUrl, { method: 'POST', body: JSON.stringify({ state: name, params: { instance: `t-${Math.random()}` }, action: 'setup' }) })).json()) as { bearer: string };

test('each operation of the documents answers its authentication layer with bodies valid against its own schemas', async () => {
  const { bearer } = await state(address, 'token_can_regenerate');
  for (const [method, path, id] of [['GET', 'widgets/widget?colour=red', 'get:widget'], ['DELETE', 'widgets/widget', 'delete:widget'], ['GET', 'widget_colours', 'get:widget_colours']]) {
    const missing = await call(address, method, path);
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 'missing_api_token');
    assert.match(missing.type!, /^application\/json/);
    const basic = await call(address, method, path, 'Basic Y29uZm9ybWFuY2U6eA==');
    assert.equal(basic.body.code, 'missing_api_token');
    const unknown = await call(address, method, path, 'Bearer conformance-unknown-secret');
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body.code, 'invalid_api_token');
    for (const r of [missing, basic, unknown]) assert.deepEqual(validator.validate(id, r.status, r.body), [], `${id} ${r.status}`);
    // The state's bearer holds api_tokens only: refused where a scope is documented, through where none is.
    const scoped = await call(address, method, path, `Bearer ${bearer}`);
    if (id === 'get:widget_colours') {
      assert.equal(scoped.status, 503);
    } else {
      assert.equal(scoped.status, 403);
      assert.equal(scoped.body.code, 'scope_not_granted');
      assert.deepEqual(scoped.body.detail.scopes, id === 'get:widget' ? ['widgets', 'widgets:read'] : ['widgets']);
    }
    assert.deepEqual(validator.validate(id, scoped.status, scoped.body), []);
  }
});

test('the implemented operation keeps its own handler; other paths get 404 JSON', async () => {
  const { bearer } = await state(address, 'token_can_regenerate');
  const regen = await fetch(`${address.baseUrl}/api_tokens/api_token/regenerate_secret`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: '{"api_token":{"id":"conformance-missing"}}' });
  assert.equal(regen.status, 404);
  assert.equal((await regen.json() as any).code, 'api_token_not_found');
  const elsewhere = await call(address, 'GET', 'no/such/path');
  assert.equal(elsewhere.status, 404);
  assert.equal(elsewhere.body.code, 'route_not_found');
});

test('per-operation faults break only their operation', async () => {
  assert.equal((await call(faultyAddress, 'DELETE', 'widgets/widget')).status, 200);
  assert.equal((await call(faultyAddress, 'DELETE', 'widgets/widget', 'Bearer nope')).body.code, 'scope_not_granted');
  assert.equal((await call(faultyAddress, 'GET', 'widgets/widget')).status, 401);
  assert.equal((await call(faultyAddress, 'GET', 'widgets/widget', 'Basic eDp5')).status, 401);
  const { bearer } = await state(faultyAddress, 'token_can_regenerate');
  assert.equal((await call(faultyAddress, 'GET', 'widgets/widget', `Bearer ${bearer}`)).status, 503, 'scope not checked');
  // Untouched: the other operation, and the other cases of the faulty ones.
  assert.equal((await call(faultyAddress, 'GET', 'widget_colours')).status, 400);
  assert.equal((await call(faultyAddress, 'GET', 'widgets/widget', 'Bearer nope')).body.code, 'invalid_api_token');
  assert.equal((await call(faultyAddress, 'DELETE', 'widgets/widget', 'Basic eDp5')).status, 400);
  assert.throws(() => createMock({ specsDir, authLayerFaults: { 'get:nothing': ['scope-ignored'] } }), /unknown operation "get:nothing"/);
});
