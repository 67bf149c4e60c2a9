/**
 * `npm run mock` (src/mock/cli.ts) as a real process: it prints the URLs,
 * answers, logs only on request (and never secrets), stops cleanly on
 * SIGTERM / SIGINT, and refuses bad usage with exit 2 and no stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULT_NAMES } from '../../src/mock/faults.ts';
import { createMock } from '../../src/mock/server.ts';
import { HANG_GUARD_MS } from '../support/hang-guard.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'src/mock/cli.ts');
const OP = '/api_tokens/api_token/regenerate_secret';
const NODE_ARGS = ['--import', 'tsx', CLI];

interface Running {
  child: ChildProcess;
  baseUrl: string;
  stateUrl: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + HANG_GUARD_MS;
  while (!/STATE_URL=\S+\n/.test(out)) {
    if (child.exitCode !== null) throw new Error(`the CLI exited ${child.exitCode}: ${out}${err}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the CLI printed no URLs in time: ${out}${err}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const baseUrl = /^BASE_URL=(\S+)$/m.exec(out)![1]!;
  const stateUrl = /^STATE_URL=(\S+)$/m.exec(out)![1]!;
  return { child, baseUrl, stateUrl, stdout: () => out, stderr: () => err, exited };
}

function run(args: string[]) {
  return spawnSync(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, encoding: 'utf8', timeout: HANG_GUARD_MS });
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

test('starts on a free port, prints BASE_URL and STATE_URL, answers, and exits 0 on SIGTERM', async () => {
  const m = await start(['--port', '0']);
  try {
    assert.match(m.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/core\/v1$/);
    assert.equal(m.stateUrl, m.baseUrl.replace('/core/v1', '/_provider-states'));
    assert.match(m.stdout(), /Faults: none/);
    const st = await (await fetch(m.stateUrl, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'cli' } }) })).json();
    // Keep a connection alive across the shutdown: it must not hold the process.
    const res = await fetch(m.baseUrl + OP, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` }, body: JSON.stringify({ api_token: { id: st.api_token.id } }) });
    assert.equal(res.status, 200);
    const { secret } = (await res.json()).api_token;
    m.child.kill('SIGTERM');
    const exit = await withTimeout(m.exited, HANG_GUARD_MS, 'exit after SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(m.stdout(), /stopped \(SIGTERM\)/);
    assert.equal(m.stderr(), '');
    assert.ok(!m.stdout().includes(st.bearer) && !m.stdout().includes(secret), 'nothing per request by default');
    assert.ok(!/regenerate_secret/.test(m.stdout()), 'no request log without --log');
  } finally {
    m.child.kill('SIGKILL');
  }
});

test('--log prints method, path, status and duration only; SIGINT stops it', async () => {
  const m = await start(['--port', '0', '--log', '--base-path', '/api/v9']);
  try {
    assert.match(m.baseUrl, /\/api\/v9$/);
    const st = await (await fetch(m.stateUrl, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'log' } }) })).json();
    const res = await fetch(`${m.baseUrl}${OP}?q=1`, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` }, body: JSON.stringify({ api_token: { id: st.api_token.id } }) });
    const { secret } = (await res.json()).api_token;
    await fetch(m.baseUrl + OP, { method: 'POST' }).then((r) => r.text());
    const deadline = Date.now() + HANG_GUARD_MS;
    while (!/ 400 /.test(m.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(m.stdout(), /^POST \/_provider-states 200 \d+\.\dms$/m);
    assert.match(m.stdout(), /^POST \/api\/v9\/api_tokens\/api_token\/regenerate_secret 200 \d+\.\dms$/m);
    assert.match(m.stdout(), /^POST \/api\/v9\/api_tokens\/api_token\/regenerate_secret 400 \d+\.\dms$/m);
    for (const s of [st.bearer, st.secret, secret, 'q=1']) assert.ok(!m.stdout().includes(s), 'no secret or query in the log');
    m.child.kill('SIGINT');
    assert.deepEqual(await withTimeout(m.exited, HANG_GUARD_MS, 'exit after SIGINT'), { code: 0, signal: null });
  } finally {
    m.child.kill('SIGKILL');
  }
});

test('--fault activates the fault and says so loudly', async () => {
  const m = await start(['--port', '0', '--fault', 'missing-auth-403', '--fault', 'wrapped-errors,error-missing-description']);
  try {
    assert.match(m.stdout(), /FAULTS ACTIVE/);
    assert.match(m.stdout(), /missing-auth-403: /);
    const res = await fetch(m.baseUrl + OP, { method: 'POST' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-api-schema'), 'json-error');
    assert.deepEqual(await res.json(), { error: { code: 'invalid_api_token', detail: { details: null } } });
  } finally {
    m.child.kill('SIGTERM');
    await withTimeout(m.exited, HANG_GUARD_MS, 'exit');
  }
});

const noStack = (text: string) => !/^\s+at /m.test(text);

test('usage errors exit 2 with one clear message and no stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port'], /--port/],
    [['--port', 'abc'], /--port must be an integer/],
    [['--port', '70000'], /--port must be an integer/],
    [['--fault', 'no-such-fault'], /unknown fault "no-such-fault".*known faults: .*secret-empty/],
    [['--personality', 'staging'], /unknown personality "staging"; known: documented, live/],
    [['positional'], /positional|Unexpected argument/i],
    [['--host', 'not-a-host.invalid', '--port', '0'], /cannot listen on host/],
  ];
  for (const [args, message] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /--help/);
    assert.ok(noStack(r.stderr), `${args.join(' ')} printed a stack:\n${r.stderr}`);
    assert.equal(r.stdout, '');
  }
});

test('a busy port exits 2 naming the port', async () => {
  const mock = createMock();
  const addr = await mock.listen(0);
  try {
    const port = new URL(addr.origin).port;
    const r = spawnSync(process.execPath, [...NODE_ARGS, '--port', port], { cwd: ROOT, encoding: 'utf8', timeout: HANG_GUARD_MS });
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.ok(noStack(r.stderr));
  } finally {
    await mock.close();
  }
});

test('--help and --list-faults print and exit 0', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0);
  for (const flag of ['--port', '--host', '--fault', '--base-path', '--log', '--list-faults']) assert.ok(help.stdout.includes(flag), flag);
  const list = run(['--list-faults']);
  assert.equal(list.status, 0);
  const lines = list.stdout.trim().split('\n');
  assert.equal(lines.length, FAULT_NAMES.length);
  for (const name of FAULT_NAMES) assert.ok(lines.some((l) => l.startsWith(`${name} `)), name);
});
