/**
 * The mock keeps an idle keep-alive connection open well past node's 5 s
 * default (so a slow client does not reuse a connection the server has just
 * closed), yet close() still ends idle connections at once.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
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
  const port = Number(new URL(origin).port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await post(agent, port);
    assert.equal(first.status, 400);
    assert.equal(first.keepAlive, `timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    await new Promise((r) => setTimeout(r, 5_600));
    const second = await post(agent, port);
    assert.equal(second.status, 400);
    assert.equal(second.socket, first.socket, 'the same connection, still open after 5.6 s idle');
    const started = Date.now();
    await mock.close();
    assert.ok(Date.now() - started < 500, `close() took ${Date.now() - started} ms with an idle connection open`);
  } finally {
    agent.destroy();
    await mock.close();
  }
});
