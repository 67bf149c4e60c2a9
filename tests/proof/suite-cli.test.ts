/**
 * End to end: the real `playwright test` run, its exit code and its reports,
 * against the bundled mock, a vendor-style mock with a fault, a bare
 * BASE_URL, and unusable configurations.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createMock, type Mock, type MockAddress } from '../../src/mock/server.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { runSuite, type SuiteRun } from '../support/run-suite.ts';
import { bundledRun } from '../support/bundled-run.ts';
const { catalogue } = regenerateSecret;

const LEAK = /Bearer [A-Za-z0-9._~+/=-]{12,}|"secret" *: *"[^"]{12,}"/;

describe('against the bundled mock (no configuration)', () => {
  let run: SuiteRun;
  before(async () => {
    // The one plain bundled run of `npm test`, shared with the other proof files (tests/support/bundled-run.ts).
    run = await bundledRun();
  });

  test('exits 0 and writes all four reports', () => {
    assert.equal(run.code, 0, run.output);
    for (const f of ['conformance.html', 'conformance.json', 'junit.xml', 'playwright/index.html', 'summary.md']) assert.ok(existsSync(path.join(run.reportsDir, f)), `${f} missing`);
  });

  test('every scenario passed, and every documented status and 403 variant has a passed scenario', () => {
    const report = run.json();
    assert.equal(report.verdict, 'pass');
    assert.equal(report.mode, 'bundled');
    assert.match(report.target, /^http:\/\/127\.0\.0\.1:\d+\/core\/v1$/);
    assert.equal(report.scenarios.length, catalogue.length);
    for (const s of report.scenarios) assert.equal(s.outcome, 'passed', `${s.id}: ${s.messages.join('; ')}`);
    const rows = report.matrix as { status: number; variant: string | null; scenarioIds: string[] }[];
    assert.deepEqual([...new Set(rows.map((r) => r.status))], [200, 400, 403, 404, 422, 429, 503]);
    assert.equal(rows.filter((r) => r.status === 403).length, 5);
    const passed = new Set(report.scenarios.filter((s: any) => s.outcome === 'passed').map((s: any) => s.id));
    for (const r of rows) assert.ok(r.scenarioIds.some((id) => passed.has(id)), `no passed scenario for ${r.status} ${r.variant}`);
    // Provenance, so that two reports can be compared (src/report/provenance.ts, unit-tested there).
    assert.equal(report.provenance.catalogue.scenarios, catalogue.length);
    assert.match(report.provenance.catalogue.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(report.provenance.specs.documents.map((d: any) => d.path), ['regenerate-secret.openapi.json']);
    assert.match(report.provenance.playwright, /^\d+\.\d+\.\d+/);
  });

  test('the HTML report shows the verdict, the matrix and the target; JUnit lists every scenario', () => {
    const html = run.file('conformance.html');
    assert.match(html, /<strong>PASS<\/strong>/);
    assert.match(html, /unauthorized_network_for_api_token/);
    assert.match(html, /127\.0\.0\.1/);
    const junit = run.file('junit.xml');
    assert.equal((junit.match(/<testcase /g) ?? []).length, catalogue.length);
  });

  test('no credential appears in the reports', () => {
    for (const f of ['conformance.html', 'conformance.json', 'junit.xml']) assert.ok(!LEAK.test(run.file(f)), `${f} holds a credential`);
    assert.ok(!LEAK.test(run.output));
  });
});

describe('against a vendor-style mock through BASE_URL and STATE_URL', () => {
  let mock: Mock;
  let address: MockAddress;
  before(async () => {
    mock = createMock({ faults: ['scope-detail-wrong'] });
    address = await mock.listen(0, '127.0.0.1');
  });
  after(() => mock.close());

  test('a fault fails its scenario, exits non-zero, and the report says what, where and why', async () => {
    const run = await runSuite({ BASE_URL: address.baseUrl, STATE_URL: address.stateUrl });
    assert.notEqual(run.code, 0);
    const report = run.json();
    assert.equal(report.verdict, 'fail');
    assert.equal(report.mode, 'state');
    const failed = report.scenarios.filter((s: any) => s.outcome === 'failed').map((s: any) => s.id);
    assert.deepEqual(failed, ['403-scope_not_granted']);
    const html = run.file('conformance.html');
    assert.match(html, /detail\.scopes must name the missing scope api_tokens/);
    assert.match(html, /\/detail\/scopes/);
    // Playwright's JUnit writes a failed soft assertion as <error> (CI tools count both as failures).
    assert.match(run.file('junit.xml'), /<(failure|error) message="[^"]*\[detail_scopes\]/);
  });

  test('BASE_URL alone runs the state-free scenarios and skips the others with the reason', async () => {
    const run = await runSuite({ BASE_URL: address.baseUrl });
    assert.equal(run.code, 0, run.output);
    const report = run.json();
    const passed = report.scenarios.filter((s: any) => s.outcome === 'passed');
    assert.equal(passed.length, 4);
    for (const s of report.scenarios.filter((x: any) => x.outcome === 'skipped')) assert.match(s.reason, /STATE_URL/);
  });
});

describe('states that cannot be arranged', () => {
  let mock: Mock;
  let address: MockAddress;
  before(async () => {
    mock = createMock({ faults: ['state-endpoint-500'] });
    address = await mock.listen(0, '127.0.0.1');
  });
  after(() => mock.close());

  test('are reported as not arranged, apart from failures, and the run exits non-zero', async () => {
    const run = await runSuite({ BASE_URL: address.baseUrl, STATE_URL: address.stateUrl });
    assert.notEqual(run.code, 0);
    const report = run.json();
    const notArranged = report.scenarios.filter((s: any) => s.outcome === 'not_arranged');
    assert.equal(notArranged.length, catalogue.filter((c) => c.state).length);
    assert.equal(report.scenarios.filter((s: any) => s.outcome === 'failed').length, 0);
    assert.match(notArranged[0].reason, /HTTP 500/);
  });
});

describe('unusable configuration', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['unknown ERROR_ENVELOPE', { ERROR_ENVELOPE: 'nested' }, /ERROR_ENVELOPE="nested" is not known/],
    ['half-set live credentials', { BASE_URL: 'http://127.0.0.1:9/core/v1', KATAPULT_API_TOKEN: 'abcdef123456' }, /KATAPULT_ORGANIZATION is not/],
    ['a BASE_URL nothing answers on', { BASE_URL: 'http://127.0.0.1:9/core/v1' }, /BASE_URL=http:\/\/127\.0\.0\.1:9\/core\/v1: nothing answers there/],
  ];
  for (const [name, env, message] of cases) {
    test(`${name}: one clear message, non-zero exit, no stack trace`, async () => {
      const run = await runSuite(env);
      assert.notEqual(run.code, 0);
      assert.match(run.output, message);
      assert.ok(!/^\s+at .+\(.+:\d+:\d+\)$/m.test(run.output), `stack trace in output:\n${run.output}`);
      assert.ok(!run.output.includes('abcdef123456'), 'the configured token is printed');
      assert.equal(run.json().verdict, 'fail');
    });
  }
});
