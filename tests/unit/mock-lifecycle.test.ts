/**
 * The reference mock's lifecycle (close never hangs, listen twice refused,
 * a busy port), its use in-process (the handler in a server of your own, a
 * genuine bug answered 500 JSON) and its memory over many regenerations.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createMock, type MockAddress, type ResponseLogEntry } from '../../src/mock/server.ts';
import { ISSUED_SECRETS_LIMIT, TokenStore } from '../../src/mock/store.ts';
import { faultFlags } from '../../src/mock/faults.ts';
import { withHangGuard } from '../support/hang-guard.ts';

const OP = '/api_tokens/api_token/regenerate_secret';

async function setupState(addr: MockAddress, state: string, instance: string): Promise<any> {
  const res = await fetch(addr.stateUrl, { method: 'POST', body: JSON.stringify({ state, params: { instance } }) });
  return res.json();
}


describe('lifecycle', () => {
  test('close() does not hang with idle keep-alive connections', async () => {
    const mock = createMock();
    const addr = await mock.listen(0);
    const agent = new http.Agent({ keepAlive: true });
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve) => http.get(addr.baseUrl + OP, { agent }, (res) => res.resume().on('end', resolve)));
    }
    await fetch(addr.baseUrl + OP, { method: 'POST' }).then((r) => r.text());
    const idle = Object.values(agent.freeSockets).flat();
    assert.ok(idle.length > 0, 'a keep-alive socket is idle');
    const closed = Promise.all(idle.map((s) => new Promise<void>((resolve) => (s!.destroyed ? resolve() : s!.once('close', () => resolve())))));
    // The meaning: close() does not wait for the client to drop its idle
    // connections; it closes them itself (the client here never would).
    await withHangGuard(mock.close(), 'close() with idle keep-alive connections');
    await withHangGuard(closed, 'the idle connections closed by the mock');
    agent.destroy();
  });

  test('close() does not hang on a request that never completes', async () => {
    const mock = createMock();
    const addr = await mock.listen(0);
    const { port } = new URL(addr.origin);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((r) => socket.on('connect', () => r()));
    socket.write(`POST /core/v1${OP} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer whatever\r\nContent-Length: 100\r\n\r\n{`);
    await new Promise((r) => setTimeout(r, 50));
    const dropped = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.resume(); // a paused socket would never see the mock's end
    // The client never finishes its body: close() must drop that connection itself.
    await withHangGuard(mock.close(), 'close() with a request that never completes');
    await withHangGuard(dropped, 'the unfinished request\'s connection closed by the mock');
    socket.destroy();
  });

  test('listen twice is refused; close is idempotent; the mock can listen again with its tokens', async () => {
    const mock = createMock();
    const addr = await mock.listen(0);
    await assert.rejects(mock.listen(0), /already listening/);
    const st = await setupState(addr, 'token_can_regenerate', 'again');
    await mock.close();
    await mock.close();
    const addr2 = await mock.listen(0);
    const res = await fetch(addr2.baseUrl + OP, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` }, body: JSON.stringify({ api_token: { id: st.api_token.id } }) });
    assert.equal(res.status, 200);
    await mock.close();
  });

  test('listen on a busy port rejects with EADDRINUSE, and the mock can still listen elsewhere', async () => {
    const a = createMock();
    const addr = await a.listen(0);
    const b = createMock();
    await assert.rejects(b.listen(Number(new URL(addr.origin).port)), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
    const addr2 = await b.listen(0);
    assert.notEqual(addr2.origin, addr.origin);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('in-process use', () => {
  test('the handler works in a server of your own', async () => {
    const mock = createMock();
    const server = http.createServer(mock.handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      const st = await (await fetch(`${origin}/_provider-states`, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'x' } }) })).json();
      const res = await fetch(`${origin}/core/v1${OP}`, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` }, body: JSON.stringify({ api_token: { id: st.api_token.id } }) });
      assert.equal(res.status, 200);
      assert.equal(mock.tokenCount(), 2);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('a genuine bug is answered 500 JSON, reported, and the server survives', async () => {
    const errors: unknown[] = [];
    const mock = createMock({ onInternalError: (e) => errors.push(e) });
    const server = http.createServer((req, res) => {
      if (req.headers['x-break'] === 'sync') Object.defineProperty(req, 'url', { get: () => { throw new Error('boom'); } });
      if (req.headers['x-break'] === 'async') Object.defineProperty(req.socket, 'remoteAddress', { get: () => { throw new Error('late boom'); } });
      mock.handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      const a = await fetch(`${origin}/core/v1${OP}`, { method: 'POST', headers: { 'x-break': 'sync' } });
      assert.equal(a.status, 500);
      assert.equal(a.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal((await a.json()).code, 'internal_server_error');
      const b = await fetch(`${origin}/_provider-states`, { method: 'POST', headers: { 'x-break': 'async' }, body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'x' } }) });
      assert.equal(b.status, 500);
      assert.equal((await b.json()).code, 'internal_server_error');
      assert.deepEqual(errors.map((e) => (e as Error).message), ['boom', 'late boom']);
      assert.equal((await fetch(`${origin}/core/v1${OP}`, { method: 'POST' })).status, 400);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('onResponse gets method, path without query, status and duration only', async () => {
    const log: ResponseLogEntry[] = [];
    const mock = createMock({ onResponse: (e) => log.push(e) });
    const addr = await mock.listen(0);
    try {
      await fetch(`${addr.baseUrl}${OP}?secret=abc`, { method: 'POST', headers: { authorization: 'Bearer shhh' } }).then((r) => r.text());
      assert.equal(log.length, 1);
      assert.deepEqual(Object.keys(log[0]!).sort(), ['durationMs', 'method', 'path', 'status']);
      assert.equal(log[0]!.path, `/core/v1${OP}`);
      assert.equal(log[0]!.status, 403);
      assert.ok(!JSON.stringify(log).includes('shhh') && !JSON.stringify(log).includes('abc'));
    } finally {
      await mock.close();
    }
  });
});

describe('memory', () => {
  test('regenerations do not grow the token store; issued secrets are capped', () => {
    const store = new TokenStore(faultFlags([]));
    const t = store.create({ name: 'n', organization_id: 'org' });
    const first = t.secret;
    for (let i = 0; i < ISSUED_SECRETS_LIMIT + 10; i++) store.rotate(t);
    assert.equal(store.size, 1);
    const issued = store.issuedSecrets();
    assert.equal(issued.length, ISSUED_SECRETS_LIMIT);
    assert.ok(!issued.includes(first), 'the oldest are forgotten first');
    assert.equal(issued[issued.length - 1], t.secret);
    assert.equal(store.getBySecret(first), undefined);
    assert.equal(store.getBySecret(t.secret), t);
    store.delete(t);
    assert.equal(store.size, 0);
    assert.equal(store.getBySecret(t.secret), undefined);
  });

  test('old-secret-still-valid: teardown also forgets the retired secrets', () => {
    const store = new TokenStore(faultFlags(['old-secret-still-valid']));
    const t = store.create({ name: 'n', organization_id: 'org' });
    const first = t.secret;
    store.rotate(t);
    assert.equal(store.getBySecret(first), t);
    store.delete(t);
    assert.equal(store.getBySecret(first), undefined);
  });
});
