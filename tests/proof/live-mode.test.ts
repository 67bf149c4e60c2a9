/**
 * Live mode end to end: the real `playwright test` run against the reference
 * mock in its live-framework personality (no provider-state endpoint, wrapped
 * errors, the framework's 400 codes), exactly as against staging. In every
 * kind of run (passing, failing, interrupted) the organization's token list,
 * read through the list operation, is the same before and after, and the
 * configured (admin) token's secret still works.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { onSuiteSpawn, runSuite, type SuiteRun } from '../support/run-suite.ts';
import { startLiveTarget, type LiveTarget } from '../support/live-target.ts';
const { catalogue } = regenerateSecret;

/** Fast pacing for a loopback mock (the default, 2 per second, is for staging). */
const FAST = { LIVE_REQUESTS_PER_SECOND: '200' };
const NOT_LIVE = ['403-invalid_capabilities_token', '403-permission_denied', '422-validation_error', '503-service_unavailable'];

const ids = (tokens: { id: string }[]) => tokens.map((t) => t.id).sort();

/** The run's tokens are all gone, the admin token's secret works, nothing of it was printed or reported. */
async function assertLeftClean(live: LiveTarget, before: { id: string }[], run: SuiteRun): Promise<void> {
  const after = await live.listTokens();
  assert.deepEqual(ids(after), ids(before), `the token list changed:\n${JSON.stringify(after)}\n${run.output}`);
  assert.ok(!after.some((t) => t.name.startsWith('conformance-suite-')), 'a throwaway token is left');
  assert.ok(await live.adminSecretWorks(), 'the configured token\'s secret no longer works');
  assert.ok(!run.output.includes(live.account.adminToken), 'the configured token is in the output');
  for (const f of ['conformance.json', 'conformance.html']) {
    try {
      assert.ok(!run.file(f).includes(live.account.adminToken), `the configured token is in ${f}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

describe('a passing live run (ERROR_ENVELOPE=wrapped)', () => {
  let live: LiveTarget;
  let initial: { id: string; name: string }[];
  let run: SuiteRun;
  before(async () => {
    live = await startLiveTarget();
    initial = await live.listTokens();
    run = await runSuite({ ...live.env, ...FAST, ERROR_ENVELOPE: 'wrapped' });
  });
  after(() => live.close());

  test('exits 0: the arrangeable scenarios passed, the others skipped with specific reasons', () => {
    assert.equal(run.code, 0, run.output);
    const report = run.json();
    assert.equal(report.verdict, 'pass');
    const by = (outcome: string) => report.scenarios.filter((s: any) => s.outcome === outcome).map((s: any) => s.id).sort();
    assert.deepEqual(by('skipped'), [...NOT_LIVE, '429-rate_limit_reached'].sort());
    assert.deepEqual(by('passed').length, catalogue.length - 5);
    assert.deepEqual(by('failed'), []);
    const reason = (id: string) => report.scenarios.find((s: any) => s.id === id).reason as string;
    assert.match(reason('429-rate_limit_reached'), /opt-in: set LIVE_RATE_LIMIT_BURST=true/);
    assert.match(reason('403-permission_denied'), /live mode cannot arrange "permission_denied": .*KATAPULT_ORGANIZATION/);
    assert.match(reason('503-service_unavailable'), /live mode cannot arrange "service_unavailable"/);
    for (const id of NOT_LIVE) assert.match(reason(id), /STATE_URL/);
  });

  test('the framework\'s undocumented 400 codes are warnings naming the status and the code', () => {
    const report = run.json();
    const warnings = report.scenarios.filter((s: any) => s.kind === 'bad_input').flatMap((s: any) => s.warnings);
    for (const code of ['invalid_argument', 'missing_required_argument', 'invalid_json_body']) assert.ok(warnings.some((w: string) => w.startsWith(`refused with 400 ${code}`)), `${code}: ${warnings.join('\n')}`);
  });

  test('the reports show the target, the envelope, the mode and what was skipped and why', () => {
    const report = run.json();
    assert.equal(report.target, live.address.baseUrl);
    assert.equal(report.mode, 'live');
    assert.equal(report.envelope, 'wrapped');
    assert.match(report.stateArrangement, /^throwaway tokens named conformance-suite-\d{8}T\d{6}-[0-9a-f]{6}-… created and deleted through the API \(organization conformance-rehearsal\)$/);
    const html = run.file('conformance.html');
    assert.ok(html.includes(live.address.baseUrl));
    assert.match(html, /<dt>Mode<\/dt><dd>live deployment/);
    assert.match(html, /<dt>Error envelope<\/dt><dd>wrapped/);
    assert.match(html, /set LIVE_RATE_LIMIT_BURST=true/);
    assert.match(html, /live mode cannot arrange &quot;validation_fails&quot;/);
  });

  test('no throwaway token is left, the admin token\'s secret is unchanged, and it appears nowhere', async () => {
    assert.match(run.output, /Live mode: organization sub-domain conformance-rehearsal; throwaway tokens of this run are named conformance-suite-/);
    await assertLeftClean(live, initial, run);
  });
});

test('ERROR_ENVELOPE=flat against wrapped errors fails, with the hint naming ERROR_ENVELOPE; nothing is left', async () => {
  const live = await startLiveTarget();
  try {
    const before = await live.listTokens();
    const run = await runSuite({ ...live.env, ...FAST, ERROR_ENVELOPE: 'flat' });
    assert.notEqual(run.code, 0);
    const report = run.json();
    assert.equal(report.verdict, 'fail');
    assert.equal(report.envelope, 'flat');
    const failed = report.scenarios.filter((s: any) => s.outcome === 'failed');
    assert.ok(failed.length >= 10, `${failed.length} failed`);
    for (const s of failed) assert.ok(s.messages.some((m: string) => /wrapped as \{"error": \{\.\.\.\}\}.*run with ERROR_ENVELOPE=wrapped/.test(m)), `${s.id}: ${s.messages.join('\n')}`);
    assert.match(run.output, /run with ERROR_ENVELOPE=wrapped/);
    // 200 bodies are never wrapped: the regeneration itself still passes.
    assert.equal(report.scenarios.find((s: any) => s.id === '200-regenerates-secret').outcome, 'passed');
    await assertLeftClean(live, before, run);
  } finally {
    await live.close();
  }
});

test('a failing live run (a fault in the live personality) exits non-zero on the right scenario; nothing is left', async () => {
  const live = await startLiveTarget({ faults: ['scope-detail-wrong'] });
  try {
    const before = await live.listTokens();
    const run = await runSuite({ ...live.env, ...FAST, ERROR_ENVELOPE: 'wrapped' });
    assert.notEqual(run.code, 0);
    const report = run.json();
    assert.deepEqual(report.scenarios.filter((s: any) => s.outcome === 'failed').map((s: any) => s.id), ['403-scope_not_granted']);
    assert.match(report.scenarios.find((s: any) => s.id === '403-scope_not_granted').messages.join('\n'), /detail\.scopes must name the missing scope api_tokens/);
    await assertLeftClean(live, before, run);
  } finally {
    await live.close();
  }
});

test('an interrupted live run (SIGINT while throwaway tokens exist) leaves none behind', async () => {
  let child: ChildProcess | undefined;
  let interruptedWith = -1;
  let live: LiveTarget | undefined;
  live = await startLiveTarget({
    onResponse: (e) => {
      // Once a scenario has started (its throwaway token created), interrupt the run as Ctrl-C would.
      if (interruptedWith < 0 && e.method === 'POST' && e.path.endsWith('/organizations/organization/api_tokens') && e.status === 200) {
        interruptedWith = live!.mock.tokenCount() - 2; // minus the two admin tokens
        setTimeout(() => child?.kill('SIGINT'), 150);
      }
    },
  });
  const hook = (c: ChildProcess) => (child = c);
  onSuiteSpawn.add(hook);
  try {
    const before = await live.listTokens();
    // Slower pacing keeps scenarios in flight when the signal comes.
    const run = await runSuite({ ...live.env, LIVE_REQUESTS_PER_SECOND: '20', ERROR_ENVELOPE: 'wrapped' });
    assert.ok(interruptedWith >= 1, 'the run was interrupted while a throwaway token existed');
    assert.notEqual(run.code, 0, run.output);
    // Playwright says "interrupted" when a scenario was in flight at the signal,
    // and only "did not run" when the signal fell between two scenarios.
    assert.match(run.output, /interrupted|did not run/i);
    const report = run.json();
    assert.ok(report.scenarios.filter((s: any) => s.outcome === 'passed').length < catalogue.length - 5, 'the run did stop early');
    await assertLeftClean(live, before, run);
  } finally {
    onSuiteSpawn.delete(hook);
    await live.close();
  }
});

/** Playwright's worker processes under the runner (Linux /proc). */
function workersOf(runnerPid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1];
      if (ppid === String(runnerPid) && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('workerProcessEntry')) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

test('workers killed mid-scenario (no teardown runs): the end-of-run sweep deletes their tokens by the run\'s name prefix', { skip: existsSync('/proc/self/stat') ? false : 'needs Linux /proc to find the worker processes' }, async () => {
  let child: ChildProcess | undefined;
  let killed = 0;
  let armed = true;
  let names: string[] = [];
  let live: LiveTarget | undefined;
  live = await startLiveTarget({
    onResponse: (e) => {
      if (armed && e.method === 'POST' && e.path.endsWith('/organizations/organization/api_tokens') && e.status === 200) {
        armed = false;
        // Snapshot the names, then kill every worker as a crash would: their teardown and close() never run.
        void live!.listTokens().then((t) => {
          names = t.map((x) => x.name);
          for (const pid of workersOf(child!.pid!)) {
            process.kill(pid, 'SIGKILL');
            killed++;
          }
        });
      }
    },
  });
  const hook = (c: ChildProcess) => (child = c);
  onSuiteSpawn.add(hook);
  try {
    const before = await live.listTokens();
    const run = await runSuite({ ...live.env, LIVE_REQUESTS_PER_SECOND: '20', ERROR_ENVELOPE: 'wrapped' });
    assert.ok(killed >= 1, `no worker was killed:\n${run.output}`);
    assert.notEqual(run.code, 0, run.output);
    const runId = /named conformance-suite-(\d{8}T\d{6}-[0-9a-f]{6})-…/.exec(run.output)![1]!;
    const throwaways = names.filter((n) => n.startsWith('conformance-suite-'));
    assert.ok(throwaways.length >= 1, 'a throwaway token existed when the workers died');
    for (const n of throwaways) assert.ok(n.startsWith(`conformance-suite-${runId}-`), `${n} is not named with the run id ${runId}`);
    assert.match(run.output, /Live mode: deleted [1-9]\d* leftover throwaway token\(s\) of this run/);
    await assertLeftClean(live, before, run);
  } finally {
    onSuiteSpawn.delete(hook);
    await live.close();
  }
});

test('LIVE_RATE_LIMIT_BURST=true: the bounded burst reaches 429 and the rate-limit scenario runs and passes', async () => {
  let regenerations = 0;
  const live = await startLiveTarget({ live: { tokenRateLimit: 30 }, onResponse: (e) => e.path.endsWith('/regenerate_secret') && regenerations++ });
  try {
    const before = await live.listTokens();
    const run = await runSuite({ ...live.env, ...FAST, ERROR_ENVELOPE: 'wrapped', LIVE_RATE_LIMIT_BURST: 'true', LIVE_RATE_LIMIT_BURST_MAX: '100' });
    assert.equal(run.code, 0, run.output);
    const s429 = run.json().scenarios.find((s: any) => s.id === '429-rate_limit_reached');
    assert.equal(s429.outcome, 'passed', JSON.stringify(s429));
    assert.equal(run.json().scenarios.filter((s: any) => s.outcome === 'skipped').length, NOT_LIVE.length);
    // Bounded: the burst (at most LIVE_RATE_LIMIT_BURST_MAX) plus the other scenarios' few requests.
    assert.ok(regenerations < 100 + 40, `${regenerations} requests to regenerate_secret`);
    await assertLeftClean(live, before, run);
  } finally {
    await live.close();
  }
});
