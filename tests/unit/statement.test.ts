/**
 * The conformance statement, its badge and `verify`: a statement of this
 * suite verifies; one edited by hand does not; one made by another version or
 * against other specs is named as such; no secret of the run gets into it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.ts';
import { plannedScenarios } from '../../src/operations/registry.ts';
import { countOutcomes, type RunModel, type ScenarioReport } from '../../src/report/model.ts';
import { collectProvenance } from '../../src/report/provenance.ts';
import { specsDirFrom } from '../../src/config/run-dirs.ts';
import { buildStatement, fingerprintOf, renderStatementJson } from '../../src/report/statement.ts';
import { renderBadge } from '../../src/report/render-badge.ts';
import { renderStatementMarkdown } from '../../src/report/render-statement-md.ts';
import { writeStatement } from '../../src/report/write-statement.ts';
import { runVerifyCli } from '../../src/cli/verify-cli.ts';

const planned = plannedScenarios();
const catalogue = planned.map((p) => p.scenario);
const SECRET = 'sk-statement-test-0123456789abcdefghij';

function scenario(id: string, outcome: ScenarioReport['outcome']): ScenarioReport {
  const { operation, scenario: c } = planned.find((x) => x.scenario.id === id)!;
  return {
    operation: { id: operation.id, method: operation.method, path: operation.path },
    id, title: c.title, status: c.status, variant: c.variant, kind: c.kind, outcome,
    messages: outcome === 'failed' ? [`[x] the body echoed ${SECRET}`] : [], warnings: [`a warning quoting ${SECRET}`],
    findings: [], exchanges: [], durationMs: 1, reason: outcome === 'skipped' ? `reason with ${SECRET}` : undefined,
  };
}

function model(outcome: (id: string) => ScenarioReport['outcome'] = () => 'passed', verdict: RunModel['verdict'] = 'pass'): RunModel {
  const scenarios = catalogue.map((c) => scenario(c.id, outcome(c.id)));
  return {
    verdict, verdictReason: 'all scenarios that ran passed',
    operations: [],
    target: { baseUrl: 'http://127.0.0.1:4010/core/v1', mode: 'state', modeLabel: 'vendor mock', stateArrangement: 'provider-state endpoint http://127.0.0.1:4010/_states', envelope: 'flat', profile: 'strict' },
    startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:30.000Z', durationMs: 30_000,
    counts: countOutcomes(scenarios), matrix: [], scenarios, errors: [],
    provenance: collectProvenance({ root: REPO_ROOT, specsDir: specsDirFrom({}), catalogue }),
  };
}

function verify(file: string, argv: string[] = []): { code: number; text: string } {
  let text = '';
  const code = runVerifyCli([file, ...argv], {}, { out: (t) => (text += t), err: (t) => (text += t) });
  return { code, text };
}

const written = (m: RunModel) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'statement-'));
  writeStatement(dir, m);
  return dir;
};

test('the statement identifies suite, specs, catalogue, target, date, outcomes and verdict, with a fingerprint of the rest', () => {
  const m = model();
  const s = buildStatement(m);
  assert.equal(s.suite.name, 'katapult-conformance');
  assert.equal(s.suite.version, m.provenance!.suite.version);
  assert.deepEqual(s.specs, m.provenance!.specs.documents);
  assert.equal(s.catalogue.sha256, m.provenance!.catalogue.sha256);
  assert.deepEqual(s.target, { base_url: 'http://127.0.0.1:4010/core/v1', mode: 'state', arrangement: 'provider-state endpoint http://127.0.0.1:4010/_states', envelope: 'flat' });
  assert.equal(s.date, m.finishedAt);
  assert.equal(s.scenarios.length, catalogue.length);
  assert.equal(s.verdict, 'pass');
  assert.match(s.fingerprint.value, /^[0-9a-f]{64}$/);
  assert.equal(fingerprintOf(s), s.fingerprint.value);
  // Any change of content changes the fingerprint.
  assert.notEqual(fingerprintOf({ ...s, verdict: 'fail' }), s.fingerprint.value);
});

test('no message, warning or reason is carried, so no secret of the run can be', () => {
  const m = model((id) => (id === '200-regenerates-secret' ? 'failed' : id === '503-service_unavailable' ? 'skipped' : 'passed'), 'fail');
  const s = buildStatement(m);
  for (const text of [renderStatementJson(s), renderStatementMarkdown(s), renderBadge(s)]) assert.equal(text.includes(SECRET), false);
});

test('the badge: "conformance | pass 23/23" in green; fail and incomplete in their colours', () => {
  const pass = renderBadge(buildStatement(model()));
  assert.match(pass, new RegExp(`>pass ${catalogue.length}/${catalogue.length}<`));
  assert.match(pass, />conformance</);
  assert.match(pass, /fill="#2e7d32"/);
  const fail = renderBadge(buildStatement(model((id) => (id === '404-api_token_not_found' ? 'failed' : 'passed'), 'fail')));
  assert.match(fail, new RegExp(`>fail ${catalogue.length - 1}/${catalogue.length}<`));
  assert.match(fail, /fill="#c62828"/);
  assert.match(renderBadge(buildStatement(model(() => 'passed', 'incomplete'))), /fill="#b26a00"/);
});

test('verify: the statement of this suite verifies (exit 0)', () => {
  const dir = written(model());
  const r = verify(path.join(dir, 'conformance-statement.json'));
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /fingerprint: OK/);
  assert.match(r.text, /statement: VERIFIED: verdict pass/);
  assert.match(r.text, /not a signature/);
  assert.match(readFileSync(path.join(dir, 'conformance-statement.md'), 'utf8'), /not a signature/);
});

test('verify: a statement edited by hand does not (exit 1), naming the fingerprint', () => {
  const dir = written(model((id) => (id === '404-api_token_not_found' ? 'failed' : 'passed'), 'fail'));
  const file = path.join(dir, 'conformance-statement.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"verdict": "fail"', '"verdict": "pass"'));
  const r = verify(file);
  assert.equal(r.code, 1, r.text);
  assert.match(r.text, /fingerprint: MISMATCH/);
  assert.match(r.text, /NOT VERIFIED/);
});

test('verify: intact but made by another suite version or against another spec is not verified either', () => {
  const m = model();
  m.provenance = structuredClone(m.provenance!);
  m.provenance.suite.version = '0.0.0-other';
  m.provenance.specs.documents[0]!.sha256 = 'a'.repeat(64);
  const r = verify(path.join(written(m), 'conformance-statement.json'));
  assert.equal(r.code, 1, r.text);
  assert.match(r.text, /fingerprint: OK/);
  assert.match(r.text, /made by katapult-conformance 0\.0\.0-other, this is katapult-conformance/);
  assert.match(r.text, /spec document regenerate-secret\.openapi\.json differs/);
});

test('verify: usage errors exit 2; a file that is not a statement exits 1', () => {
  assert.equal(verify('/nonexistent/statement.json').code, 2);
  assert.equal(runVerifyCli([], {}, { out: () => {}, err: () => {} }), 2);
  const dir = mkdtempSync(path.join(tmpdir(), 'statement-'));
  writeFileSync(path.join(dir, 'x.json'), '{"verdict": "pass"}');
  const r = verify(path.join(dir, 'x.json'));
  assert.equal(r.code, 1);
  assert.match(r.text, /not a conformance statement/);
});
