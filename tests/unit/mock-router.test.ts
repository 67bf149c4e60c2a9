/**
 * The mock's one route table (src/mock/router.ts): any number of routes,
 * `{name}` templates matching one non-empty segment, a literal path before a
 * template, 404 JSON elsewhere, 405 with Allow, a rejected handler answered
 * 500; and the mock itself serving every route (its own and the
 * authentication layer of its documents' operations) through it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createErrorRenderer, DOCUMENTED_RENDERING } from '../../src/mock/errors.ts';
import { createResponder } from '../../src/mock/http.ts';
import { Router } from '../../src/mock/router.ts';
import { createMock } from '../../src/mock/server.ts';
import { REPO_ROOT } from '../../src/model/suite-root.ts';

const json = (res: http.ServerResponse, body: object) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function call(origin: string, path: string, method = 'GET') {
  const r = await fetch(origin + path, { method });
  return { status: r.status, allow: r.headers.get('allow'), type: r.headers.get('content-type'), body: await r.json() };
}

test('the router refuses a second handler for one method and path, and knows what it serves', () => {
  const r = new Router([{ method: 'get', path: '/a/{id}', handler: () => undefined }]);
  assert.ok(r.has('GET', '/a/{id}'));
  assert.ok(!r.has('POST', '/a/{id}'));
  assert.ok(!r.has('GET', '/a/x'), 'has() names a route by its own spelling');
  assert.throws(() => r.add('GET', '/a/{id}', () => undefined), /already serves GET \/a\/\{id\}/);
  r.add('POST', '/a/{id}', () => undefined);
  assert.deepEqual([...r.match('/a/7')!.keys()], ['GET', 'POST']);
  assert.equal(r.match('/a/'), undefined);
  assert.equal(r.match('/a/7/b'), undefined);
});

test('200 routes, literal before template, 404 JSON, 405 with Allow, a rejected handler answered 500', async () => {
  const router = new Router();
  for (let i = 0; i < 200; i++) router.add(i % 2 ? 'DELETE' : 'GET', `/things/thing_${i}`, (_req, res) => json(res, { i }));
  router.add('GET', '/items/{item}', (_req, res) => json(res, { template: true }));
  router.add('GET', '/items/special', (_req, res) => json(res, { literal: true }));
  router.add('GET', '/broken', () => Promise.reject(new Error('a bug')));
  const bugs: unknown[] = [];
  const respond = createResponder(createErrorRenderer(DOCUMENTED_RENDERING), (e) => bugs.push(e));
  const server = http.createServer((req, res) => router.dispatch(req, res, respond));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.deepEqual((await call(origin, '/things/thing_198')).body, { i: 198 });
    assert.deepEqual((await call(origin, '/things/thing_7', 'DELETE')).body, { i: 7 });
    assert.deepEqual((await call(origin, '/things/thing_198?page=2')).body, { i: 198 }, 'the query string is not part of the path');
    assert.deepEqual((await call(origin, '/items/abc')).body, { template: true });
    assert.deepEqual((await call(origin, '/items/special')).body, { literal: true });
    const nowhere = await call(origin, '/nowhere/at/all');
    assert.equal(nowhere.status, 404);
    assert.match(nowhere.type ?? '', /application\/json/);
    assert.equal(nowhere.body.code, 'route_not_found');
    assert.equal((await call(origin, '/items/')).status, 404, 'a template segment matches a non-empty segment only');
    const wrongMethod = await call(origin, '/things/thing_0', 'PATCH');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.allow, 'GET');
    assert.match(wrongMethod.type ?? '', /application\/json/);
    const broken = await call(origin, '/broken');
    assert.equal(broken.status, 500);
    assert.equal(bugs.length, 1);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('the mock serves its operation, provider states and its documents\' authentication layer through one table', async () => {
  const specsDir = mkdtempSync(join(tmpdir(), 'mock-router-'));
  copyFileSync(join(REPO_ROOT, 'tests/fixtures/auth-layer/widgets.openapi.json'), join(specsDir, 'widgets.openapi.json'));
  copyFileSync(join(REPO_ROOT, 'specs/regenerate-secret.openapi.json'), join(specsDir, 'regenerate-secret.openapi.json'));
  const mock = createMock({ specsDir });
  const { origin, baseUrl, stateUrl } = await mock.listen(0);
  try {
    const op = await call(baseUrl, '/api_tokens/api_token/regenerate_secret', 'POST');
    assert.equal(op.status, 400, 'the operation keeps its own handler, not the authentication layer\'s');
    assert.equal(op.body.code, 'missing_api_token');
    const opGet = await call(baseUrl, '/api_tokens/api_token/regenerate_secret');
    assert.equal(opGet.status, 405);
    assert.equal(opGet.allow, 'POST');
    const widget = await call(baseUrl, '/widgets/widget', 'DELETE');
    assert.equal(widget.status, 400, 'a document\'s operation: its authentication layer');
    assert.equal(widget.body.code, 'missing_api_token');
    const widgetPost = await call(baseUrl, '/widgets/widget', 'POST');
    assert.equal(widgetPost.status, 405);
    assert.equal(widgetPost.allow, 'GET, DELETE');
    assert.equal((await call(stateUrl, '', 'POST')).body.code, 'invalid_state_request');
    assert.equal((await call(origin, '/core/v2/anything')).body.code, 'route_not_found');
  } finally {
    await mock.close();
  }
});
