/**
 * Runs the whole catalogue in process, outside Playwright's test runner:
 * the same engine and arrangers as the spec, for the proof tests, the
 * benchmark and the reliability report.
 */
import { randomUUID } from 'node:crypto';
import { catalogue as defaultCatalogue, type Scenario } from '../scenarios/regenerate-secret.catalogue.ts';
import { arrange, type StateArranger } from '../states/arranger.ts';
import { runScenario, type EngineContext, type ScenarioResult } from './run-scenario.ts';

export interface InProcessTarget extends EngineContext {
  arranger: StateArranger;
}

export async function runCatalogue(target: InProcessTarget, scenarios: readonly Scenario[] = defaultCatalogue, concurrency = 4): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = new Array(scenarios.length);
  let next = 0;
  const worker = async () => {
    while (next < scenarios.length) {
      const i = next++;
      results[i] = await runOne(scenarios[i], target, target);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, scenarios.length) }, worker));
  return results;
}

async function runOne(scenario: Scenario, target: InProcessTarget, ctx: EngineContext): Promise<ScenarioResult> {
  const empty = { id: scenario.id, findings: [], exchanges: [] };
  if (!scenario.state) return runScenario(scenario, null, ctx);
  const availability = target.arranger.availability(scenario.state);
  if (!availability.ok) return { ...empty, outcome: 'skipped', reason: availability.reason };
  const instance = `${scenario.id}-${randomUUID()}`;
  const arranged = await arrange(target.arranger, scenario.state, instance, (t) => target.secrets.redactText(t));
  if (arranged.kind !== 'ready') return { ...empty, outcome: arranged.kind, reason: arranged.reason };
  try {
    return await runScenario(scenario, arranged.answer, ctx);
  } finally {
    await target.arranger.teardown(scenario.state, instance);
  }
}
