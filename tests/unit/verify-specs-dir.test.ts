/**
 * `verify FILE --specs-dir DIR` checks a statement of a run with SPECS_DIR=DIR
 * against DIR throughout: the spec documents' hashes and the scenario
 * catalogue, whose sweep part is built from DIR's documents (not from the
 * verifying process's own SPECS_DIR). The wrong folder does not verify.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.ts';
import { plannedScenarios, registeredOperations } from '../../src/operations/registry.ts';
import { countOutcomes, type RunModel } from '../../src/report/model.ts';
import { collectProvenance } from '../../src/report/provenance.ts';
import { writeStatement } from '../../src/report/write-statement.ts';
import { runVerifyCli } from '../../src/cli/verify-cli.ts';
import { CORE_DOCUMENT, coreDocumentMissing, specsFolder, WIDGETS_FIXTURE } from '../support/sweep-target.ts';

const OWN_DOCUMENT = path.join(REPO_ROOT, 'specs/regenerate-secret.openapi.json');

/** The statement a passing run with SPECS_DIR=specsDir writes (the reporter's catalogue and provenance, as it builds them). */
function statementOfRunWith(specsDir: string): string {
  const planned = plannedScenarios(registeredOperations({ SPECS_DIR: specsDir }));
  const scenarios = planned.map(({ operation, scenario: c }) => ({
    operation: { id: operation.id, method: operation.method, path: operation.path },
    id: c.id, title: c.title, status: c.status, variant: c.variant, kind: c.kind, outcome: 'passed' as const,
    messages: [], warnings: [], findings: [], exchanges: [], durationMs: 1,
  }));
  const model: RunModel = {
    verdict: 'pass', verdictReason: 'all scenarios that ran passed', operations: [],
    target: { baseUrl: 'http://127.0.0.1:4010/core/v1', mode: 'bundled', modeLabel: 'bundled mock', stateArrangement: 'in-process', envelope: 'flat', profile: 'strict' },
    startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:30.000Z', durationMs: 30_000,
    counts: countOutcomes(scenarios), matrix: [], scenarios, errors: [],
    provenance: collectProvenance({ root: REPO_ROOT, specsDir, catalogue: planned.map((p) => p.scenario) }),
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'verify-specs-dir-'));
  writeStatement(dir, model);
  return path.join(dir, 'conformance-statement.json');
}

function verify(argv: string[], env: NodeJS.ProcessEnv = {}): { code: number; text: string } {
  let text = '';
  const code = runVerifyCli(argv, env, { out: (t) => (text += t), err: (t) => (text += t) });
  return { code, text };
}

function checkFolder(specsDir: string) {
  const file = statementOfRunWith(specsDir);
  // The sweep makes the catalogue differ from the suite's own: this is what the check is about.
  assert.notEqual(plannedScenarios(registeredOperations({ SPECS_DIR: specsDir })).length, plannedScenarios(registeredOperations({})).length);
  const right = verify([file, '--specs-dir', specsDir]);
  assert.equal(right.code, 0, right.text);
  assert.match(right.text, /statement: VERIFIED/);
  // The same folder through SPECS_DIR (as `verify` takes it from the environment or .env).
  const fromEnv = verify([file], { SPECS_DIR: specsDir });
  assert.equal(fromEnv.code, 0, fromEnv.text);
  const wrong = verify([file, '--specs-dir', path.join(REPO_ROOT, 'specs')]);
  assert.equal(wrong.code, 1, wrong.text);
  assert.match(wrong.text, /fingerprint: OK/);
  assert.match(wrong.text, /the scenario catalogue differs/);
  assert.match(wrong.text, /NOT VERIFIED/);
}

test('verify --specs-dir: a statement of a SPECS_DIR run (the widgets fixture and the project document) verifies against that folder, not against specs/', () => {
  checkFolder(specsFolder({ 'widgets.openapi.json': WIDGETS_FIXTURE, 'regenerate-secret.openapi.json': OWN_DOCUMENT }));
});

test('verify --specs-dir: a statement of a whole-Core-API run verifies against its folder, not against specs/', (t) => {
  const missing = coreDocumentMissing('verify --specs-dir with the Core API document');
  if (missing) return t.skip(missing);
  checkFolder(specsFolder({ 'katapult-core-openapi.json': CORE_DOCUMENT, 'regenerate-secret.openapi.json': OWN_DOCUMENT }));
});
