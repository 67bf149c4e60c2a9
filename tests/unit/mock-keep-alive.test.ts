/**
 * The mock, and the fault proxy in front of it, keep an idle keep-alive
 * connection open well past node's 5 s default (so a slow client does not
 * reuse a connection the server has just closed), yet close() still ends idle
 * connections at once.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { createFaultProxy } from '../../src/fault-proxy/proxy.ts';
import { KEEP_ALIVE_TIMEOUT_MS } from '../../src/mock/http.ts';
import { createMock } from '../../src/mock/server.ts';

const PATH = '/core/v1/api_tokens/api_token/regenerate_secret';

function post(agent: http.Agent, port: number): Promise<{ status: number; keepAlive: string | undefined; socket: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: PATH, method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, keepAlive: String(res.headers['keep-alive']), socket: req.socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('an idle keep-alive connection outlives 5 s and is reused; close() ends it at once', { timeout: 20_000 }, async () => {
  assert.ok(KEEP_ALIVE_TIMEOUT_MS >= 60_000);
  const mock = createMock();
  const { origin } = await mock.listen(0);
  const proxy = createFaultProxy({ upstream: origin });
  const proxyOrigin = (await proxy.listen(0)).origin;
  const ports = { mock: Number(new URL(origin).port), proxy: Number(new URL(proxyOrigin).port) };
  const agents = { mock: new http.Agent({ keepAlive: true, maxSockets: 1 }), proxy: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  try {
    const first = { mock: await post(agents.mock, ports.mock), proxy: await post(agents.proxy, ports.proxy) };
    assert.equal(first.mock.status, 400);
    assert.equal(first.proxy.status, 400);
    assert.equal(first.mock.keepAlive, `timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    await new Promise((r) => setTimeout(r, 7_000));
    for (const k of ['mock', 'proxy'] as const) {
      const second = await post(agents[k], ports[k]);
      assert.equal(second.status, 400);
      assert.equal(second.socket, first[k].socket, `${k}: the same connection, still open after 7 s idle`);
    }
    for (const [k, close] of [['proxy', () => proxy.close()], ['mock', () => mock.close()]] as const) {
      const started = Date.now();
      await close();
      assert.ok(Date.now() - started < 500, `${k}: close() took ${Date.now() - started} ms with an idle connection open`);
    }
  } finally {
    agents.mock.destroy();
    agents.proxy.destroy();
    await proxy.close();
    await mock.close();
  }
});
