/**
 * THE shared full run of the suite against the bundled reference mock (no
 * configuration at all: `npx playwright test` as a new user types it).
 *
 * A full run costs a real `playwright test` process; `npm test` makes ONE of
 * them and every proof file that asserts on "the plain bundled run" reuses it:
 *
 *   import { bundledRun } from '../support/bundled-run.ts';
 *   let run: SuiteRun;
 *   before(async () => { run = await bundledRun(); });
 *   test('…', () => { assert.equal(run.json().verdict, 'pass'); run.file('junit.xml'); run.output; });
 *
 * Add your assertions on that run in your own test file; do not start another
 * plain bundled run. Treat the run as read-only: never write into
 * `run.reportsDir` (other files read it, maybe at the same time). A test that
 * needs other settings (a fault, a filter, another REPORTS_DIR layout) runs
 * its own `runSuite(env)`.
 *
 * How it is shared: node:test runs each test file in its own process, so the
 * first file to ask creates a folder in the system's temporary directory,
 * keyed by the test runner's process (pid and start time), runs the suite and
 * writes the result there; the others wait for that result. Within a process
 * the promise is cached. The run's output is the suite's own, which masks
 * every secret before writing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runSuite, type SuiteRun } from './run-suite.ts';

const PREFIX = 'conformance-shared-bundled-run-';
/** Only catches a hang: the run ends by itself long before, however busy the machine. */
const WAIT_GUARD_MS = 10 * 60_000;

let cached: Promise<SuiteRun> | undefined;

interface Stored {
  code: number | null;
  output: string;
  reportsDir: string;
  error?: string;
}

/** The test runner's process, as pid and start time: a later runner with a reused pid gets another key. */
function runnerKey(): string {
  const ppid = process.ppid;
  try {
    // Field 22 of /proc/PID/stat is the start time; the name in field 2 may hold spaces, so count from its ")".
    const stat = readFileSync(`/proc/${ppid}/stat`, 'utf8');
    return `${ppid}-${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return `${ppid}-${new Date().toISOString().slice(0, 13)}`;
  }
}

function asSuiteRun(s: Stored): SuiteRun {
  return {
    code: s.code,
    output: s.output,
    reportsDir: s.reportsDir,
    file: (name) => readFileSync(path.join(s.reportsDir, name), 'utf8'),
    json: () => {
      const p = path.join(s.reportsDir, 'conformance.json');
      if (!existsSync(p)) throw new Error(`no conformance.json was written; output:\n${s.output}`);
      return JSON.parse(readFileSync(p, 'utf8'));
    },
  };
}

function sweepStale(maxAgeMs = 6 * 3600_000): void {
  try {
    for (const name of readdirSync(tmpdir())) {
      if (!name.startsWith(PREFIX)) continue;
      const dir = path.join(tmpdir(), name);
      if (Date.now() - statSync(dir).mtimeMs > maxAgeMs) rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // Best effort.
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function runOrWait(): Promise<SuiteRun> {
  sweepStale();
  const dir = path.join(tmpdir(), `${PREFIX}${runnerKey()}`);
  const result = path.join(dir, 'result.json');
  const owner = path.join(dir, 'owner.pid');
  let mine = false;
  try {
    mkdirSync(dir, { mode: 0o700 });
    mine = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (mine) {
    writeFileSync(owner, String(process.pid));
    let stored: Stored;
    try {
      const run = await runSuite({});
      stored = { code: run.code, output: run.output, reportsDir: run.reportsDir };
    } catch (e) {
      stored = { code: null, output: '', reportsDir: '', error: (e as Error).message };
    }
    writeFileSync(`${result}.tmp`, JSON.stringify(stored));
    renameSync(`${result}.tmp`, result);
    if (stored.error) throw new Error(stored.error);
    return asSuiteRun(stored);
  }
  const deadline = Date.now() + WAIT_GUARD_MS;
  for (;;) {
    if (existsSync(result)) {
      const stored: Stored = JSON.parse(readFileSync(result, 'utf8'));
      if (stored.error) throw new Error(`the shared bundled run failed: ${stored.error}`);
      return asSuiteRun(stored);
    }
    const ownerPid = existsSync(owner) ? Number(readFileSync(owner, 'utf8')) : 0;
    if (ownerPid && !alive(ownerPid)) throw new Error(`the test process ${ownerPid} that ran the shared bundled run ended without a result (${dir})`);
    if (Date.now() > deadline) throw new Error(`no result of the shared bundled run after ${WAIT_GUARD_MS} ms (${dir}): a hang`);
    await sleep(250);
  }
}

/** The one plain run against the bundled mock of this `npm test` (see the top of this file). */
export function bundledRun(): Promise<SuiteRun> {
  cached ??= runOrWait();
  return cached;
}
