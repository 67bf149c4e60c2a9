/**
 * The npm scripts' servers stop with whoever started them: `npm run mock &`
 * then `kill $!` (npm's pid) frees the port, also when npm itself is killed
 * outright and cannot pass the signal on; the server prints its own pid.
 * Through the real `npm run`, as a user types it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../../src/config/env.ts';
import { createMock } from '../../src/mock/server.ts';
import { HANG_GUARD_MS } from '../support/hang-guard.ts';

/** npm as this test was started with (`npm test` sets npm_execpath), else the one on PATH. */
function npm(args: string[]) {
  const execpath = process.env.npm_execpath;
  const [cmd, argv] = execpath && /npm-cli\.js$/.test(execpath) ? [process.execPath, [execpath, ...args]] : ['npm', args];
  return spawn(cmd, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + HANG_GUARD_MS;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not after ${HANG_GUARD_MS} ms (a hang)`);
    await sleep(50);
  }
}

async function startThenKillNpm(script: string, args: string[], signal: NodeJS.Signals): Promise<{ out: string }> {
  const child = npm(['run', script, '--', ...args]);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // The server shares npm's pipes: its last line may still be in flight when its process is gone.
  const drained = Promise.all([child.stdout!, child.stderr!].map((s) => new Promise((resolve) => s.once('close', resolve))));
  try {
    await until(`npm run ${script} printing its pid`, () => /^PID=\d+ /m.test(out) || child.exitCode !== null);
    const pid = Number(/^PID=(\d+) /m.exec(out)?.[1]);
    assert.ok(pid > 0, out);
    const port = Number(new URL(/^BASE_URL=(\S+)$/m.exec(out)![1]!).port);
    // The printed pid is the server itself, npm's direct child, not npm.
    assert.notEqual(pid, child.pid);
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), new RegExp(`src/${script === 'mock' ? 'mock' : 'fault-proxy'}/cli\\.ts`));
    assert.equal(await refused(port), false, 'the server answers before the kill');
    child.kill(signal);
    await until('the port freed after npm was killed', () => refused(port));
    await until('the server process gone', () => !alive(pid));
    // Every writer of the pipes (npm and the server) has gone, so they close; a hang guard, not a timing.
    await Promise.race([drained, sleep(HANG_GUARD_MS, undefined, { ref: false })]);
    return { out };
  } finally {
    child.kill('SIGKILL');
  }
}

test('npm run mock: kill of the npm pid (SIGTERM) stops the mock and frees its port', { timeout: HANG_GUARD_MS * 4 }, async () => {
  const { out } = await startThenKillNpm('mock', ['--port', '0'], 'SIGTERM');
  // npm passes SIGTERM on, or exits first and the mock sees its parent gone: either way it stops itself.
  assert.match(out, /mock: stopped \((SIGTERM|its parent process ended)\)/);
});

test('npm run mock: npm killed outright (SIGKILL, no signal passed on): the mock sees its parent gone and stops', { timeout: HANG_GUARD_MS * 4 }, async () => {
  const { out } = await startThenKillNpm('mock', ['--port', '0'], 'SIGKILL');
  assert.match(out, /mock: stopped \(its parent process ended\)/);
});

test('npm run fault-proxy: npm killed outright: the proxy stops and frees its port', { timeout: HANG_GUARD_MS * 4 }, async () => {
  const mock = createMock();
  const upstream = await mock.listen(0, '127.0.0.1');
  try {
    const { out } = await startThenKillNpm('fault-proxy', ['--upstream', upstream.origin, '--port', '0'], 'SIGKILL');
    assert.match(out, /Fault proxy stopped: 0 requests/);
  } finally {
    await mock.close();
  }
});
