/**
 * The summary at the end of `npm test` (tests/support/summary-reporter.ts):
 * counts, what each proof file established, every skip with its reason in
 * capitals, every failure, and a last line `tests: N passed, N failed,
 * N skipped` that CI's "ran no test" detector reads; node's exit code stays
 * non-zero when a test failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.ts';
import { claimOf, newTally, record, summarize, type TestEvent } from '../support/summary-reporter.ts';
import { HANG_GUARD_MS } from '../support/hang-guard.ts';

const REPORTER = path.join(REPO_ROOT, 'tests/support/summary-reporter.mjs');
/** The line CI reads: `N passed, N failed`, optionally `, N skipped`, optionally one word and a colon before. */
const CI_LINE = /^(\w+: )?(\d+) passed, (\d+) failed(, (\d+) skipped)?$/;

const proofFile = path.join(REPO_ROOT, 'tests/proof/x.test.ts');
const unitFile = path.join(REPO_ROOT, 'tests/unit/y.test.ts');
const ev = (type: string, data: TestEvent['data']): TestEvent => ({ type, data });

function tallyOf(events: TestEvent[]) {
  const t = newTally();
  for (const e of events) record(t, e);
  return t;
}

const diagnostics = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => ev('test:diagnostic', { nesting: 0, message: `${k} ${v}` }));

test('counts, proof claims, loud skips and failures; the CI line is last', () => {
  const t = tallyOf([
    ev('test:pass', { name: 'a', nesting: 1, file: proofFile }),
    ev('test:pass', { name: 'S', nesting: 0, file: proofFile, details: { type: 'suite' } }),
    ev('test:pass', { name: 'vendor docs', nesting: 0, file: unitFile, skip: 'REFERENCE DATA MISSING: not there' }),
    ev('test:fail', { name: 'b', nesting: 0, file: unitFile, details: { error: { message: 'wrapper', cause: { message: 'expected 1, got 2\nmore' } } } }),
    ev('test:fail', { name: 'Suite of b', nesting: 0, file: unitFile, details: { type: 'suite', error: { message: '1 subtest failed' } } }),
    ...diagnostics({ tests: 3, suites: 1, pass: 1, fail: 1, cancelled: 0, skipped: 1, todo: 0, duration_ms: 2500 }),
  ]);
  const lines = summarize(t, { root: REPO_ROOT, claim: () => 'The claim.' });
  const text = lines.join('\n');
  assert.match(text, /^3 tests in 1 suite and 2 files, 2\.5 s: 1 passed, 1 failed, 1 skipped$/m);
  assert.match(text, /^  proven +tests\/proof\/x\.test\.ts \(1 passed\): The claim\.$/m);
  assert.match(text, /^SKIPPED: tests\/unit\/y\.test\.ts › vendor docs: REFERENCE DATA MISSING: not there$/m);
  assert.match(text, /^SKIPPED 1 TEST: this run is not the full proof/m);
  assert.match(text, /^FAILED: tests\/unit\/y\.test\.ts › b: expected 1, got 2$/m);
  assert.ok(!text.includes('Suite of b'), 'a suite that failed only through its test is not listed twice');
  assert.equal(lines.at(-1), 'tests: 1 passed, 1 failed, 1 skipped');
  assert.match(lines.at(-1)!, CI_LINE);
});

test('a proof file with a failure is NOT PROVEN; a failed hook is listed; no test at all says so', () => {
  const failing = tallyOf([
    ev('test:fail', { name: 'c', nesting: 0, file: proofFile, details: { error: { message: 'boom' } } }),
    ev('test:fail', { name: 'hooked', nesting: 0, file: proofFile, details: { type: 'suite', error: { message: 'before hook broke' } } }),
    ...diagnostics({ tests: 1, suites: 1, pass: 0, fail: 1 }),
  ]);
  const text = summarize(failing, { root: REPO_ROOT, claim: () => '' }).join('\n');
  assert.match(text, /^  NOT PROVEN +tests\/proof\/x\.test\.ts \(0 passed, 1 failed\)/m);
  assert.match(text, /^FAILED: tests\/proof\/x\.test\.ts › hooked: before hook broke$/m);
  const empty = summarize(tallyOf(diagnostics({ tests: 0, pass: 0, fail: 0 })), { root: REPO_ROOT });
  assert.ok(empty.includes('NO TEST RAN.'));
  assert.equal(empty.at(-1), 'tests: 0 passed, 0 failed, 0 skipped');
});

test('a file\'s claim is the first sentence of its opening comment', () => {
  const read = () => '/**\n * Bad configuration, through the real run: an unreachable\n * BASE_URL. More.\n */\nimport x;';
  assert.equal(claimOf('f', read), 'Bad configuration, through the real run: an unreachable BASE_URL.');
  assert.equal(claimOf('f', () => 'import x;'), '');
  assert.equal(claimOf('/nowhere/at/all.ts'), '');
});

function runTests(files: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  // A fresh test runner, not a file of this one (node marks its own children with NODE_TEST_CONTEXT).
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TEST_DETAIL: 'tap', ...env };
  delete childEnv.NODE_TEST_CONTEXT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-reporter=${REPORTER}`, '--test-reporter-destination=stdout', ...files], { cwd: REPO_ROOT, env: childEnv });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node --test did not end (a hang):\n${out}`));
    }, HANG_GUARD_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('as node\'s reporter: TAP detail first, the summary after, the CI line last; a failure keeps the exit code non-zero', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'summary-reporter-'));
  try {
    writeFileSync(path.join(dir, 'ok.test.mjs'), "import { test } from 'node:test';\ntest('fine', () => {});\ntest('later', (t) => t.skip('not today'));\n");
    writeFileSync(path.join(dir, 'bad.test.mjs'), "import { test } from 'node:test';\ntest('broken', () => { throw new Error('planted failure'); });\n");
    const failing = await runTests([path.join(dir, 'ok.test.mjs'), path.join(dir, 'bad.test.mjs')]);
    assert.equal(failing.code, 1, failing.out);
    const lines = failing.out.trimEnd().split('\n');
    assert.equal(lines.at(-1), 'tests: 1 passed, 1 failed, 1 skipped');
    assert.ok(failing.out.indexOf('TAP version') < failing.out.indexOf('──── summary ────'), 'the detail comes first');
    assert.match(failing.out, /^FAILED: .*bad\.test\.mjs › broken: planted failure$/m);
    assert.match(failing.out, /^SKIPPED: .*ok\.test\.mjs › later: not today$/m);

    const passing = await runTests([path.join(dir, 'ok.test.mjs')]);
    assert.equal(passing.code, 0, passing.out);
    assert.equal(passing.out.trimEnd().split('\n').at(-1), 'tests: 1 passed, 0 failed, 1 skipped');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the vendor\'s reference documents the summary says so loudly, test by test', async () => {
  const r = await runTests([path.join(REPO_ROOT, 'tests/unit/schema-vendor.test.ts')], { CONFORMANCE_REFERENCE_DIR: path.join(tmpdir(), 'no-reference-here') });
  assert.equal(r.code, 0, r.out);
  assert.equal((r.out.match(/^SKIPPED: tests\/unit\/schema-vendor\.test\.ts › .*: REFERENCE DATA MISSING: the vendor's \S+ was not found/gm) ?? []).length, 3, r.out);
  assert.match(r.out, /^SKIPPED 3 TESTS: this run is not the full proof/m);
  assert.match(r.out.trimEnd().split('\n').at(-1)!, /^tests: \d+ passed, 0 failed, 3 skipped$/);
});
