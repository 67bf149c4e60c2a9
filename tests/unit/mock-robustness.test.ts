/**
 * The reference mock never crashes and never answers 5xx for bad requests
 * (its lifecycle, in-process use and memory: mock-lifecycle.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createMock, type Mock, type MockAddress } from '../../src/mock/server.ts';

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
