/**
 * The STATE_URL check at start (src/suite/preflight.ts): a first setup
 * answered 404 or with a page that is not JSON stops the run with one
 * message naming STATE_URL; a working endpoint, however unusual, and a JSON
 * error of one state go on to the scenarios; what the setup arranged is
 * torn down.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { ConfigError } from '../../src/config/env.ts';
import { createMock } from '../../src/mock/server.ts';
import { SecretRegistry } from '../../src/model/redact.ts';
import { checkStateEndpoint } from '../../src/suite/preflight.ts';
import { startIndependentMock } from '../support/independent-vendor-mock.ts';

interface Seen {
  action: string;
  instance: string;
}

/** A state endpoint that answers every POST with the given status, content type and body, and records what it was sent. */
async function endpoint(status: number, contentType: string, body: string): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      try {
        const msg = JSON.parse(text);
        seen.push({ action: msg.action, instance: msg.params?.instance });
      } catch {
        seen.push({ action: 'unreadable', instance: '' });
      }
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return { url: `http://127.0.0.1:${port}/_provider-states`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

async function check(status: number, contentType: string, body: string): Promise<{ error: unknown; seen: Seen[]; secrets: SecretRegistry }> {
  const e = await endpoint(status, contentType, body);
  closers.push(e.close);
  const secrets = new SecretRegistry();
  try {
    await checkStateEndpoint(e.url, 5000, secrets);
    return { error: undefined, seen: e.seen, secrets };
  } catch (error) {
    return { error, seen: e.seen, secrets };
  }
}

describe('stops the run at start with one message naming STATE_URL', () => {
  test('a 404 (a wrong path)', async () => {
    const r = await check(404, 'application/json', '{"code":"route_not_found"}');
    assert.ok(r.error instanceof ConfigError, String(r.error));
    assert.match((r.error as Error).message, /^STATE_URL=http:\/\/127\.0\.0\.1:\d+\/_provider-states: the first state setup \(state "token_can_regenerate"\) was answered HTTP 404 \(\{"code":"route_not_found"\}\); that is not a provider-state endpoint: check the path/);
  });

  test('a 404 page in HTML', async () => {
    const r = await check(404, 'text/html', '<h1>Not Found</h1>');
    assert.ok(r.error instanceof ConfigError);
    assert.match((r.error as Error).message, /^STATE_URL=.*was answered HTTP 404 \(<h1>Not Found<\/h1>\)/);
  });

  test('a web page answered 200', async () => {
    const r = await check(200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><body>It works!</body></html>');
    assert.ok(r.error instanceof ConfigError);
    assert.match((r.error as Error).message, /^STATE_URL=.*was answered HTTP 200 text\/html that is not JSON \(<!DOCTYPE html>/);
  });

  test('an empty 200 and a text error page', async () => {
    const empty = await check(200, '', '');
    assert.match((empty.error as Error).message, /^STATE_URL=.*was answered HTTP 200 that is not JSON \(empty body\)/);
    const text = await check(502, 'text/plain', 'Bad Gateway');
    assert.match((text.error as Error).message, /^STATE_URL=.*was answered HTTP 502 text\/plain that is not JSON \(Bad Gateway\)/);
  });

  test('one setup is sent, then its teardown with the same instance', async () => {
    const r = await check(404, 'text/html', 'nope');
    assert.deepEqual(r.seen.map((s) => s.action), ['setup', 'teardown']);
    assert.equal(r.seen[0]!.instance, r.seen[1]!.instance);
    assert.match(r.seen[0]!.instance, /^conformance-start-check-/);
  });
});

describe('leaves the rest to the scenarios', () => {
  test('a JSON error (one state the endpoint cannot arrange) is not stopped at start', async () => {
    const r = await check(500, 'application/json', '{"code":"internal_server_error"}');
    assert.equal(r.error, undefined);
    assert.deepEqual(r.seen.map((s) => s.action), ['setup', 'teardown']);
  });

  test('the reference mock passes, and holds no token afterwards', async () => {
    const mock = createMock();
    const address = await mock.listen(0, '127.0.0.1');
    closers.push(() => mock.close());
    const before = mock.tokenCount();
    const secrets = new SecretRegistry();
    await checkStateEndpoint(address.stateUrl, 5000, secrets);
    assert.equal(mock.tokenCount(), before);
    // What it answered is known to the leak scan (the bearer and the secret).
    assert.ok(secrets.all().length >= 1, 'the answer\'s credentials are registered');
  });

  test('an independently written vendor mock on another path passes, and holds no token afterwards', async () => {
    const mock = await startIndependentMock();
    closers.push(() => mock.close());
    const before = mock.tokenCount();
    await checkStateEndpoint(mock.stateUrl, 5000, new SecretRegistry());
    assert.equal(mock.tokenCount(), before);
  });
});
