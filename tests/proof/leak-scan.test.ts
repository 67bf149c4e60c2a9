/**
 * No secret in any artifact: full runs of the real suite through a recording
 * proxy, then every secret the mock issued, every Authorization value sent
 * and a credential of the run's .env are searched for (by the test, with its
 * own list) in every report — HTML, JSON, JUnit, Playwright's report with its
 * embedded attachments, the test-results folder — and in the run's output.
 * And the suite's own post-run scan fails the run when a secret is written.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { scanForSecrets, SecretMatcher } from '../../src/leak/scan.ts';
import { DOTENV_SECRET_NAME, leakScanRun, type LeakRunResult } from '../support/reliability/leak-runs.ts';
import { runSuite } from '../support/run-suite.ts';
import { bundledRun } from '../support/bundled-run.ts';

describe('a full run against the reference mock', () => {
  let r: LeakRunResult;
  test('exits 0, and none of the run\'s secrets appears in any artifact or in the output', async () => {
    r = await leakScanRun();
    assert.equal(r.exitCode, 0, r.run.output);
    assert.deepEqual(r.hits, []);
    assert.deepEqual(r.problems, []);
    // The search was real: every kind of secret, many of them, in every report.
    assert.ok(r.secretsBySource['issued by the mock'] >= 30, JSON.stringify(r.secretsBySource));
    assert.ok(r.secretsBySource['Authorization value'] >= 15, JSON.stringify(r.secretsBySource));
    assert.equal(r.secretsBySource[`${DOTENV_SECRET_NAME} from .env`], 1);
    for (const f of ['conformance.html', 'conformance.json', 'junit.xml', 'playwright/index.html', 'leak-scan.json']) assert.ok(existsSync(path.join(r.run.reportsDir, f)), `${f} missing`);
    assert.ok(r.entries > r.files, 'archives were opened (the Playwright report embeds its data as a zip)');
  });

  test('the suite\'s own scan ran last and passed, and found nothing the test did not', () => {
    assert.match(r.suiteScanLine, /^Leak scan: PASS — none of the \d+ known secrets/);
    const summary = JSON.parse(readFileSync(path.join(r.run.reportsDir, 'leak-scan.json'), 'utf8'));
    assert.equal(summary.verdict, 'pass');
    assert.ok(summary.secretsSearched >= 20, `the suite searched for ${summary.secretsSearched} secrets`);
    assert.ok(summary.secretsBySource['issued by the bundled mock'] === undefined, 'not the bundled mock: BASE_URL was set');
  });

  test('positive control: the scan does see inside the Playwright report\'s embedded attachments', () => {
    // "conformance-result" is the name of the attachment every test carries; it only exists inside the embedded zip.
    const scan = scanForSecrets(new SecretMatcher([{ value: 'conformance-result', source: 'control' }]), { paths: [path.join(r.run.reportsDir, 'playwright')], base: r.run.reportsDir });
    assert.ok(scan.hits.some((h) => h.where.startsWith('playwright/index.html › embedded data')), JSON.stringify(scan.hits.slice(0, 3)));
  });
});

test('a target that echoes the bearer into an error body: the scenario fails, and the echo is masked everywhere', async () => {
  const r = await leakScanRun({ mockFaults: ['error-leaks-secret'] });
  assert.notEqual(r.exitCode, 0);
  const report = r.run.json();
  const failed = report.scenarios.filter((s: any) => s.outcome === 'failed');
  assert.deepEqual(failed.map((s: any) => s.id), ['403-invalid_api_token-expired']);
  assert.match(failed[0].messages.join('\n'), /contains a secret the suite holds \(masked here\)/);
  assert.deepEqual(r.hits, []);
  assert.match(r.suiteScanLine, /^Leak scan: PASS/);
});

test('a known secret written to the reports fails the run, and the scan says where without repeating it', async () => {
  const r = await leakScanRun({ plantInReports: true });
  assert.equal(r.verdict, 'pass', 'the target conforms: only the leak fails the run');
  assert.equal(r.exitCode, 1);
  assert.match(r.suiteScanLine, /^Leak scan: FAIL — a known secret was found in 1 place \(masked here\)/);
  assert.match(r.run.output, new RegExp(`notes-from-a-ci-step\\.txt:1:14: a secret \\(${DOTENV_SECRET_NAME} from \\.env, \\d+ characters, sha256 [0-9a-f]{8}\\)`));
  // The test's own scan finds it too, in that file only; the output never shows it.
  assert.deepEqual(r.hits.map((h) => h.split(':')[0]), ['notes-from-a-ci-step.txt']);
});

test('a password in BASE_URL is masked at capture: nowhere in the reports or the output', async () => {
  const password = `url-pw-${Date.now().toString(36)}-0123456789`;
  const run = await runSuite({ BASE_URL: `http://ci:${password}@127.0.0.1:9/core/v1` });
  assert.notEqual(run.code, 0);
  assert.match(run.output, /BASE_URL must not carry user:password@/);
  const scan = scanForSecrets(new SecretMatcher([{ value: password, source: 'BASE_URL password' }]), { paths: [run.reportsDir], texts: [{ label: 'output', text: run.output }], base: run.reportsDir });
  assert.deepEqual(scan.hits, []);
  assert.ok(scan.files >= 4);
});

test('against the bundled mock, the suite\'s scan knows the mock\'s issued secrets and every worker\'s, and passes', async () => {
  // The one plain bundled run of `npm test`, shared with suite-cli.test.ts (tests/support/bundled-run.ts).
  const run = await bundledRun();
  assert.equal(run.code, 0, run.output);
  const summary = JSON.parse(readFileSync(path.join(run.reportsDir, 'leak-scan.json'), 'utf8'));
  assert.equal(summary.verdict, 'pass');
  // Wired across processes: the workers' run file and the main process's mock.
  assert.ok(summary.secretsBySource['seen by the suite during the run'] >= 20, JSON.stringify(summary.secretsBySource));
  assert.ok(summary.secretsBySource['issued by the bundled mock'] >= 1, JSON.stringify(summary.secretsBySource));
  assert.ok(summary.entries > summary.files);
  assert.match(run.output, /^Leak scan: PASS — none of the \d+ known secrets/m);
});
