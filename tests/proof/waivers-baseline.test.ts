/**
 * Waivers and the baseline against real faulty mocks, in process (the same
 * engine as the spec; one real `playwright test` run in
 * tests/proof/waivers-e2e.test.ts shows the whole path).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCatalogue } from '../../src/runner/run-catalogue.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import type { ScenarioResult } from '../../src/engine/run-scenario.ts';
import type { FaultName } from '../../src/mock/faults.ts';
import { decideVerdict, type ScenarioReport } from '../../src/report/model.ts';
import { applyWaivers, type Waiver } from '../../src/report/waivers.ts';
import { compareWithBaseline, parseBaseline } from '../../src/report/baseline.ts';
import { startMockTarget } from '../support/in-process-target.ts';

async function run(faults: FaultName[]): Promise<ScenarioResult[]> {
  const started = await startMockTarget({ faults });
  try {
    return await runCatalogue(started.target, regenerateSecret);
  } finally {
    await started.close();
  }
}

/** The parts of a scenario report the waiver step and the verdict read. */
const asReports = (results: ScenarioResult[]) =>
  results.map((r) => ({ ...r, messages: r.findings.filter((f) => f.severity === 'error').map((f) => `[${f.check}] ${f.message}`) }));

const verdictOf = (scenarios: { outcome: string }[]) => decideVerdict(scenarios as unknown as ScenarioReport[], []).verdict;

const SCOPE = '403-scope_not_granted';
const waiver = (until: string): Waiver => ({ scenario: SCOPE, check: 'detail_scopes', reason: 'vendor ticket 4711', until });
const TODAY = '2026-06-01';

describe('waivers against a mock with a fault', () => {
  let oneFault: ReturnType<typeof asReports>;
  let twoFaults: ReturnType<typeof asReports>;
  before(async () => {
    [oneFault, twoFaults] = [asReports(await run(['scope-detail-wrong'])), asReports(await run(['scope-detail-wrong', 'error-missing-description']))];
  });

  test('without a waiver the one-fault mock fails exactly its scenario', () => {
    assert.deepEqual(oneFault.filter((s) => s.outcome === 'failed').map((s) => s.id), [SCOPE]);
    assert.equal(verdictOf(oneFault), 'fail');
  });

  test('a waiver for its failing check makes the run pass with the scenario waived', () => {
    const { scenarios, summary } = applyWaivers(oneFault, [waiver('2026-12-31')], 'w.json', TODAY);
    assert.equal(scenarios.find((s) => s.id === SCOPE)!.outcome, 'waived');
    assert.equal(scenarios.filter((s) => s.outcome === 'failed').length, 0);
    assert.equal(verdictOf(scenarios), 'pass');
    assert.deepEqual(summary.warnings, []);
  });

  test('the same waiver expired fails the run, saying the waiver expired', () => {
    const { scenarios, summary } = applyWaivers(oneFault, [waiver('2026-05-31')], 'w.json', TODAY);
    const s = scenarios.find((x) => x.id === SCOPE)!;
    assert.equal(s.outcome, 'failed');
    assert.match(s.messages.join('\n'), /waiver for 403-scope_not_granted \[detail_scopes\] expired on 2026-05-31/);
    assert.equal(verdictOf(scenarios), 'fail');
    assert.equal(summary.uses[0].state, 'expired');
  });

  test('an unused waiver warns', () => {
    const { summary } = applyWaivers(oneFault, [waiver('2026-12-31'), { scenario: '503-service_unavailable', reason: 'r', until: '2026-12-31' }], 'w.json', TODAY);
    assert.deepEqual(summary.warnings, ['waiver for 503-service_unavailable matched nothing (the scenario passed: remove the waiver): remove it']);
  });

  test('a second fault in the same scenario still fails it', () => {
    const scope = twoFaults.find((s) => s.id === SCOPE)!;
    assert.ok(new Set(scope.findings.filter((f) => f.severity === 'error').map((f) => f.check)).size >= 2, 'the second fault shows in the scenario');
    const { scenarios } = applyWaivers(twoFaults, [waiver('2026-12-31')], 'w.json', TODAY);
    const s = scenarios.find((x) => x.id === SCOPE)!;
    assert.equal(s.outcome, 'failed');
    assert.match(s.messages.at(-1)!, /does not cover the failure of .* so it still fails/);
    assert.equal(verdictOf(scenarios), 'fail');
  });
});

describe('the baseline', () => {
  test('a baseline from a clean run compared with a faulty run lists exactly the newly failing scenarios', async () => {
    const clean = await run([]);
    const faulty = await run(['scope-detail-wrong', 'not-found-500']);
    assert.ok(clean.every((s) => s.outcome === 'passed'));
    const baseline = parseBaseline(JSON.stringify({ verdict: 'pass', mode: 'state', target: 'x', scenarios: clean }), 'clean.json');
    const changes = compareWithBaseline(baseline, { scenarios: faulty, target: { baseUrl: 'x', mode: 'state' } });
    const failed = faulty.filter((s) => s.outcome === 'failed').map((s) => s.id).sort();
    assert.deepEqual(failed, ['200-every-earlier-secret-refused', '200-new-secret-authenticates', '200-new-secret-keeps-authenticating', '200-racing-regenerations-one-winner', '403-scope_not_granted', '404-api_token_not_found']);
    assert.deepEqual(changes.newlyFailing.map((c) => c.id).sort(), failed);
    assert.deepEqual([changes.fixed, changes.stillFailing, changes.otherChanges, changes.added, changes.removed].map((l) => l.length), [0, 0, 0, 0, 0]);
  });
});
