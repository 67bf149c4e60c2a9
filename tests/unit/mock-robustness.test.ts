/**
 * The reference mock never crashes and never answers 5xx for bad requests,
 * closes without hanging, and can be used in-process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createMock, type Mock, type MockAddress, type ResponseLogEntry } from '../../src/mock/server.ts';
import { ISSUED_SECRETS_LIMIT, TokenStore } from '../../src/mock/store.ts';
import { faultFlags } from '../../src/mock/faults.ts';
import { withHangGuard } from '../support/hang-guard.ts';

const OP = '/api_tokens/api_token/regenerate_secret';

/** Sends raw bytes, answers the raw response text (the server closes, or we stop after `waitMs`). */
function raw(addr: MockAddress, data: string | Buffer, waitMs = 2000): Promise<string> {
  const { hostname, port } = new URL(addr.origin);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let out = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(out);
    }, waitMs);
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      if (out) resolve(out);
      else reject(e);
    });
    socket.write(data);
  });
}

function parseRaw(text: string): { status: number; headers: string; body: string } {
  const m = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
  assert.ok(m, `not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  return { status: Number(m[1]), headers: m[2]!.toLowerCase(), body: m[3]! };
}

async function setupState(addr: MockAddress, state: string, instance: string): Promise<any> {
  const res = await fetch(addr.stateUrl, { method: 'POST', body: JSON.stringify({ state, params: { instance } }) });
  return res.json();
}

describe('no 5xx and no crash for garbage', () => {
  let mock: Mock;
  let addr: MockAddress;
  let st: any;
  const internalErrors: unknown[] = [];
  before(async () => {
    mock = createMock({ onInternalError: (e) => internalErrors.push(e) });
    addr = await mock.listen(0);
    st = await setupState(addr, 'token_can_regenerate', 'garbage');
  });
  after(() => mock.close());

  const bodies: [string, () => string | Uint8Array][] = [
    ['random bytes', () => Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 256))],
    ['invalid UTF-8', () => Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['NUL bytes', () => '\u0000\u0000'],
    ['deep nesting', () => '['.repeat(200_000) + ']'.repeat(200_000)],
    ['deep object nesting', () => '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)],
    ['__proto__ key', () => '{"__proto__": {"api_token": {"id": "x"}}}'],
    ['api_token with __proto__', () => '{"api_token": {"__proto__": {"id": "x"}}}'],
    ['constructor id', () => '{"api_token": {"id": "constructor"}}'],
    ['toString id', () => '{"api_token": {"id": "__proto__"}}'],
    ['huge id', () => JSON.stringify({ api_token: { id: 'i'.repeat(900_000) } })],
    ['id object', () => '{"api_token": {"id": {"$ne": null}}}'],
    ['id array', () => '{"api_token": {"id": ["x"]}}'],
    ['id boolean', () => '{"api_token": {"id": true}}'],
    ['duplicate keys', () => '{"api_token": {"id": 1}, "api_token": {"id": "x"}}'],
    ['BOM', () => '\ufeff{"api_token": {"id": "x"}}'],
    ['whitespace only', () => '   \n\t '],
    ['JSON string', () => '"api_token"'],
    ['true', () => 'true'],
    ['NaN', () => 'NaN'],
  ];

  for (const [name, body] of bodies) {
    test(`body: ${name}`, async () => {
      for (const authorization of [undefined, `Bearer ${st.bearer}`]) {
        const res = await fetch(addr.baseUrl + OP, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: body() as BodyInit,
        });
        const text = await res.text();
        assert.ok(res.status >= 400 && res.status < 500, `${name}: ${res.status} ${text.slice(0, 200)}`);
        assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
        const json = JSON.parse(text);
        assert.equal(typeof json.code, 'string');
        if (authorization) assert.ok([422, 404].includes(res.status), `${name}: authenticated answer ${res.status} ${json.code}`);
        else assert.equal(json.code, 'missing_api_token');
      }
    });
  }

  const headerCases: [string, Record<string, string>][] = [
    ['empty Authorization', { authorization: '' }],
    ['Bearer with tab', { authorization: 'Bearer\tabc' }],
    ['very long bearer', { authorization: `Bearer ${'x'.repeat(12_000)}` }],
    ['bearer with comma list', { authorization: 'Bearer a, Bearer b' }],
    ['latin-1 bearer', { authorization: 'Bearer \u00e9\u00e8' }],
    ['Negotiate', { authorization: 'Negotiate abc' }],
    ['capabilities without bearer', { 'x-capabilities-token': 'x' }],
    ['text/plain body type', { 'content-type': 'text/plain' }],
    ['odd content type', { 'content-type': '%%%/;;;' }],
    ['gzip content-encoding (not decoded)', { 'content-encoding': 'gzip', authorization: 'Bearer nope' }],
  ];
  for (const [name, headers] of headerCases) {
    test(`headers: ${name}`, async () => {
      const res = await fetch(addr.baseUrl + OP, { method: 'POST', headers, body: '{"api_token": {"id": "x"}}' });
      const json = await res.json();
      assert.ok([400, 403].includes(res.status), `${name}: ${res.status}`);
      assert.ok(['missing_api_token', 'invalid_api_token'].includes(json.code), `${name}: ${json.code}`);
    });
  }

  const rawCases: [string, string, number][] = [
    ['not HTTP at all', 'GARBAGE\r\n\r\n', 400],
    ['bad header line', `POST /core/v1${OP} HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n`, 400],
    ['invalid Content-Length', `POST /core/v1${OP} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`, 400],
    ['bad chunk size', `POST /core/v1${OP} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer BEARER\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n`, 400],
    ['headers too large', `POST /core/v1${OP} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`, 431],
    ['control character in bearer', `POST /core/v1${OP} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\u0001b\r\nConnection: close\r\n\r\n`, 400],
  ];
  for (const [name, request, status] of rawCases) {
    test(`raw HTTP: ${name} -> ${status} JSON`, async () => {
      const r = parseRaw(await raw(addr, request.replace('BEARER', st.bearer)));
      assert.equal(r.status, status, r.body);
      assert.match(r.headers, /content-type: application\/json/);
      assert.equal(typeof JSON.parse(r.body).code, 'string');
    });
  }

  test('Content-Length larger than the bytes sent, then the client gives up: no crash', async () => {
    await raw(addr, `POST /core/v1${OP} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${st.bearer}\r\nContent-Length: 1000\r\n\r\n{"api_`, 100);
    const res = await fetch(addr.baseUrl + OP, { method: 'POST' });
    assert.equal(res.status, 400);
  });

  test('a client that aborts a large upload mid-way does not crash the mock', async () => {
    const { hostname, port } = new URL(addr.origin);
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), hostname, () => {
        socket.write(`POST /core/v1${OP} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${st.bearer}\r\nContent-Length: 5000000\r\n\r\n`);
        socket.write('x'.repeat(100_000), () => {
          socket.destroy();
          resolve();
        });
      });
      socket.on('error', () => resolve());
    });
    const chunked = http.request(addr.baseUrl + OP, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` } });
    chunked.on('error', () => {});
    chunked.write('{"api_token":');
    await new Promise((r) => setTimeout(r, 20));
    chunked.destroy();
    await new Promise((r) => setTimeout(r, 20));
    const res = await fetch(addr.baseUrl + OP, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` }, body: JSON.stringify({ api_token: { id: st.api_token.id } }) });
    assert.equal(res.status, 200);
  });

  test('a chunked body over 1 MiB is refused with 422 and the mock keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(addr.baseUrl + OP, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(64 * 1024));
      req.end();
    });
    assert.equal(status, 422);
    assert.equal((await fetch(addr.baseUrl + OP, { method: 'POST' })).status, 400);
  });

  test('no genuine internal error happened in all of the above', () => {
    assert.deepEqual(internalErrors, []);
  });
});

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
