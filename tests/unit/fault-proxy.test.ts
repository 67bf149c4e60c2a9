/**
 * The fault proxy (src/fault-proxy/): each mode breaks the transport exactly
 * as it says, only for the requests its scope selects, everything else is
 * forwarded untouched; and its CLI prints the URLs, stops on SIGTERM and
 * refuses bad usage with exit 2.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFaultProxy, type FaultProxy } from '../../src/fault-proxy/proxy.ts';
import { FAULT_MODE_NAMES, parseFaultRule } from '../../src/fault-proxy/rules.ts';
import { createMock, type Mock, type MockAddress } from '../../src/mock/server.ts';
import { HANG_GUARD_MS } from '../support/hang-guard.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'src/fault-proxy/cli.ts');
const OP = '/core/v1/api_tokens/api_token/regenerate_secret';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request on its own connection; rejects with the transport error, or 'timeout'. */
function request(origin: string, method: string, p: string, opts: { headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<Answer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port: Number(port), method, path: p, headers: { 'content-type': 'application/json', ...opts.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 5000, () => {
      req.destroy(new Error('timeout'));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const setup = async (origin: string, state: string, instance: string) =>
  JSON.parse((await request(origin, 'POST', '/_provider-states', { body: JSON.stringify({ state, params: { instance }, action: 'setup' }) })).body.toString());
const regenerate = (origin: string, bearer: string, id: string, timeoutMs?: number) =>
  request(origin, 'POST', OP, { headers: { authorization: `Bearer ${bearer}` }, body: JSON.stringify({ api_token: { id } }), timeoutMs });

test('fault rules: every mode, every scope, and clear refusals', () => {
  assert.deepEqual(FAULT_MODE_NAMES, ['stall', 'non-json', 'huge-body', 'reset', 'redirect']);
  assert.deepEqual(parseFaultRule('stall'), { mode: 'stall', scope: { kind: 'all' } });
  assert.deepEqual(parseFaultRule('reset@scenario=403-permission_denied'), { mode: 'reset', scope: { kind: 'scenario', id: '403-permission_denied' } });
  assert.deepEqual(parseFaultRule('non-json@state=token_expired'), { mode: 'non-json', scope: { kind: 'state', name: 'token_expired' } });
  assert.deepEqual(parseFaultRule('redirect@path=_provider-states'), { mode: 'redirect', scope: { kind: 'path', prefix: '/_provider-states' } });
  assert.throws(() => parseFaultRule('explode'), /unknown fault mode "explode"; known: stall, non-json, huge-body, reset, redirect/);
  assert.throws(() => parseFaultRule('stall@colour=red'), /bad scope "colour=red"/);
  assert.throws(() => parseFaultRule('stall@scenario='), /bad scope/);
  assert.deepEqual(parseFaultRule('reset@scenario=404-api_token_not_found#1'), { mode: 'reset', scope: { kind: 'scenario', id: '404-api_token_not_found' }, times: 1 });
  assert.deepEqual(parseFaultRule('stall#3'), { mode: 'stall', scope: { kind: 'all' }, times: 3 });
  for (const bad of ['reset#0', 'reset#', 'reset#two', 'reset#1.5']) assert.throws(() => parseFaultRule(bad), /bad count .* a whole number from 1/, bad);
});

describe('in front of the reference mock', () => {
  let mock: Mock;
  let upstream: MockAddress;
  const proxies: FaultProxy[] = [];
  const start = async (rules: string[], extra: { hugeBodyBytes?: number; maxStallMs?: number } = {}) => {
    const p = createFaultProxy({ upstream: upstream.origin, rules: rules.map(parseFaultRule), ...extra });
    proxies.push(p);
    return { proxy: p, origin: (await p.listen(0)).origin };
  };
  before(async () => {
    mock = createMock();
    upstream = await mock.listen(0);
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await mock.close();
  });

  test('without a fault it forwards everything as it is and remembers every Authorization value', async () => {
    const { proxy, origin } = await start([]);
    const st = await setup(origin, 'token_can_regenerate', 'plain-1');
    const a = await regenerate(origin, st.bearer, st.api_token.id);
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(JSON.parse(a.body.toString()).api_token.id, st.api_token.id);
    const missing = await request(origin, 'POST', OP, { body: '{}' });
    assert.equal(missing.status, 400);
    assert.equal(JSON.parse(missing.body.toString()).code, 'missing_api_token');
    assert.deepEqual(proxy.authorizationValues(), [`Bearer ${st.bearer}`]);
    assert.deepEqual(proxy.stats(), { requests: 3, forwarded: 3, faulted: {}, upstreamErrors: 0 });
  });

  test('stall: no answer; the client times out; nothing reaches the target', async () => {
    const { proxy, origin } = await start(['stall']);
    const tokens = mock.tokenCount();
    const st = await setup(origin, 'token_can_regenerate', 'stall-1');
    // The client's own 300 ms timeout ends the wait: the proxy never answers.
    await assert.rejects(regenerate(origin, st.bearer, st.api_token.id, 300), /timeout/);
    assert.equal(proxy.stats().faulted['stall on every request except the state endpoint'], 1);
    // The state endpoint is outside "all", and the token was not regenerated.
    assert.equal(mock.tokenCount(), tokens + 2);
    assert.equal((await regenerate(upstream.origin, st.bearer, 'x')).status, 404);
  });

  test('stall: a request is dropped after --max-stall-ms even if the client waits', async () => {
    const { origin } = await start(['stall'], { maxStallMs: 150 });
    await assert.rejects(request(origin, 'POST', OP, { body: '{}', timeoutMs: 5000 }), /socket hang up|ECONNRESET/);
  });

  test('non-json: the target\'s status with an HTML page', async () => {
    const { origin } = await start(['non-json']);
    const a = await request(origin, 'POST', OP, { body: '{}' });
    assert.equal(a.status, 400);
    assert.match(String(a.headers['content-type']), /^text\/html/);
    assert.match(a.body.toString(), /^<!DOCTYPE html>/);
  });

  test('huge-body: the target\'s status with a JSON body of the configured size, streamed', async () => {
    const { origin } = await start(['huge-body'], { hugeBodyBytes: 3 * 1024 * 1024 + 7 });
    const a = await request(origin, 'POST', OP, { body: '{}' });
    assert.equal(a.status, 400);
    assert.equal(a.headers['content-length'], String(3 * 1024 * 1024 + 7));
    assert.equal(a.body.length, 3 * 1024 * 1024 + 7);
    assert.equal(typeof JSON.parse(a.body.toString()).padding, 'string');
  });

  test('reset: the connection is reset without an answer', async () => {
    const { origin } = await start(['reset']);
    await assert.rejects(request(origin, 'POST', OP, { body: '{}' }), /ECONNRESET/);
  });

  test('#N: only the first N selected requests are broken, then the rule lets the rest through (a flaky target)', async () => {
    const { proxy, origin } = await start(['non-json#2']);
    const types = [];
    for (let i = 0; i < 4; i++) types.push(String((await request(origin, 'POST', OP, { body: '{}' })).headers['content-type']));
    assert.match(types[0]!, /text\/html/);
    assert.match(types[1]!, /text\/html/);
    assert.match(types[2]!, /application\/json/);
    assert.match(types[3]!, /application\/json/);
    assert.equal(proxy.stats().faulted['non-json on every request except the state endpoint, the first 2 only'], 2);
  });

  test('redirect: 307 to another path of the proxy, not forwarded', async () => {
    const { origin } = await start(['redirect']);
    const a = await request(origin, 'POST', `${OP}?q=1`, { body: '{}' });
    assert.equal(a.status, 307);
    assert.equal(a.headers.location, `${origin}/moved${OP}?q=1`);
  });

  test('scenario scope: only requests with a secret from that scenario\'s setups are broken, also after a regeneration', async () => {
    const { proxy, origin } = await start(['non-json@scenario=200-second-regeneration']);
    const mine = await setup(origin, 'token_can_regenerate', `200-second-regeneration-${crypto.randomUUID()}`);
    const other = await setup(origin, 'token_can_regenerate', `200-regenerates-secret-${crypto.randomUUID()}`);
    assert.match(String((await regenerate(origin, mine.bearer, mine.api_token.id)).headers['content-type']), /text\/html/);
    assert.equal((await regenerate(origin, other.bearer, other.api_token.id)).status, 200);
    // The state's "secret" (the target token's own) belongs to the scenario too.
    const self = await setup(origin, 'token_can_regenerate', `200-second-regeneration-${crypto.randomUUID()}`);
    assert.match(String((await regenerate(origin, self.secret, self.api_token.id)).headers['content-type']), /text\/html/);
    assert.equal(proxy.stats().faulted['non-json on requests of scenario 200-second-regeneration'], 2);
  });

  test('a secret answered by a regeneration through the proxy inherits the scenario', async () => {
    const { proxy, origin } = await start(['reset@scenario=200-new-secret-authenticates']);
    const st = await setup(upstream.origin, 'token_can_regenerate', 'unseen');
    // Arranged behind the proxy's back: unknown to it, so not broken.
    assert.equal((await regenerate(origin, st.bearer, 'does-not-exist')).status, 404);
    const mine = await setup(origin, 'token_can_regenerate', `200-new-secret-authenticates-${crypto.randomUUID()}`);
    const t = await setup(origin, 'token_can_regenerate', `200-old-secret-rejected-${crypto.randomUUID()}`);
    const answer = JSON.parse((await regenerate(origin, t.bearer, t.api_token.id)).body.toString());
    await assert.rejects(regenerate(origin, mine.bearer, mine.api_token.id), /ECONNRESET/);
    assert.equal((await regenerate(origin, answer.api_token.secret, 'does-not-exist')).status, 404);
    assert.equal(proxy.stats().faulted['reset on requests of scenario 200-new-secret-authenticates'], 1);
  });

  test('state scope and path scope (the state endpoint itself)', async () => {
    const byState = await start(['redirect@state=token_expired']);
    const expired = await setup(byState.origin, 'token_expired', 'e-1');
    const fine = await setup(byState.origin, 'scope_not_granted', 's-1');
    assert.equal((await regenerate(byState.origin, expired.bearer, expired.api_token.id)).status, 307);
    assert.equal((await regenerate(byState.origin, fine.bearer, fine.api_token.id)).status, 403);
    const byPath = await start(['reset@path=/_provider-states']);
    await assert.rejects(setup(byPath.origin, 'token_can_regenerate', 'p-1'), /ECONNRESET/);
    assert.equal((await request(byPath.origin, 'POST', OP, { body: '{}' })).status, 400);
  });

  test('a target that is down gives 502 JSON from the proxy, and the proxy keeps serving', async () => {
    const dead = createFaultProxy({ upstream: 'http://127.0.0.1:9' });
    proxies.push(dead);
    const { origin } = await dead.listen(0);
    const a = await request(origin, 'POST', OP, { body: '{}' });
    assert.equal(a.status, 502);
    assert.equal(JSON.parse(a.body.toString()).code, 'fault_proxy_upstream_error');
    assert.equal(dead.stats().upstreamErrors, 1);
  });
});

describe('npm run fault-proxy', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: HANG_GUARD_MS });

  test('--help and --list-faults exit 0 and name every mode', () => {
    const help = run(['--help']);
    assert.equal(help.status, 0);
    for (const m of FAULT_MODE_NAMES) assert.match(help.stdout, new RegExp(`\\b${m}\\b`));
    assert.equal(run(['--list-faults']).stdout.trim().split('\n').length, FAULT_MODE_NAMES.length);
  });

  for (const [args, message] of [
    [[], /--upstream is required/],
    [['--upstream', 'ftp://x'], /--upstream must be an http:\/\/ origin/],
    [['--upstream', 'http://127.0.0.1:1', '--fault', 'melt'], /unknown fault mode "melt"/],
    [['--upstream', 'http://127.0.0.1:1', '--port', 'x'], /--port must be a whole number/],
    [['--upstream', 'http://127.0.0.1:1', '--bogus'], /Unknown option '--bogus'/],
  ] as [string[], RegExp][]) {
    test(`usage error ${JSON.stringify(args)}: exit 2, one line, no stack trace`, () => {
      const r = run(args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }

  test('prints BASE_URL and STATE_URL, breaks what it says, and stops on SIGTERM with a count', async () => {
    const mock = createMock();
    const upstream = await mock.listen(0);
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--upstream', upstream.origin, '--port', '0', '--fault', 'redirect@state=token_expired'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + HANG_GUARD_MS;
      while (!/STATE_URL=\S+\n/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      const baseUrl = /^BASE_URL=(\S+)$/m.exec(out)![1]!;
      const stateUrl = /^STATE_URL=(\S+)$/m.exec(out)![1]!;
      assert.match(out, /redirect on requests of state token_expired/);
      const origin = new URL(baseUrl).origin;
      assert.equal(new URL(stateUrl).pathname, '/_provider-states');
      const st = await setup(origin, 'token_expired', 'cli-1');
      assert.equal((await regenerate(origin, st.bearer, st.api_token.id)).status, 307);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(out, /Fault proxy stopped: 2 requests, 1 forwarded, 1 broken on purpose\./);
      assert.ok(!out.includes(st.bearer), 'the CLI never prints a secret');
    } finally {
      child.kill('SIGKILL');
      await mock.close();
    }
  });
});
