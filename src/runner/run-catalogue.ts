/**
 * Runs catalogues in process, outside Playwright's test runner: the same
 * engine and arrangers as the spec, for the proof tests, the benchmark and the
 * reliability report. It loops over planned scenarios (operation + scenario);
 * the caller says which (src/operations/registry.ts lists the registered ones).
 */
import { randomUUID } from 'node:crypto';
import type { OperationDescriptor, PlannedScenario, Scenario } from '../operations/types.ts';
import { refOf } from '../operations/types.ts';
import { arrange, type StateArranger } from '../arrange/arranger.ts';
import { runScenario, type EngineContext, type ScenarioResult } from '../engine/run-scenario.ts';

export interface InProcessTarget extends EngineContext {
  arranger: StateArranger;
}

/** Runs every scenario of the operations (or the given subset of one operation's scenarios), at most `concurrency` at a time, in order. */
export async function runOperations(target: InProcessTarget, planned: readonly PlannedScenario[], concurrency = 4): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = new Array(planned.length);
  let next = 0;
  const worker = async () => {
    while (next < planned.length) {
      const i = next++;
      results[i] = await runOne(planned[i], target, target);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, planned.length) }, worker));
  return results;
}

/** Runs scenarios of one operation (default: its whole catalogue). */
export function runCatalogue(target: InProcessTarget, operation: OperationDescriptor, scenarios: readonly Scenario[] = operation.catalogue, concurrency = 4): Promise<ScenarioResult[]> {
  return runOperations(target, scenarios.map((scenario) => ({ operation, scenario })), concurrency);
}

async function runOne({ operation, scenario }: PlannedScenario, target: InProcessTarget, ctx: EngineContext): Promise<ScenarioResult> {
  const empty = { id: scenario.id, operation: refOf(operation), findings: [], exchanges: [] };
  if (!scenario.state) return runScenario(operation, scenario, null, ctx);
  const availability = target.arranger.availability(scenario.state);
  if (!availability.ok) return { ...empty, outcome: 'skipped', reason: availability.reason };
  const instance = `${scenario.id}-${randomUUID()}`;
  const arranged = await arrange(target.arranger, scenario.state, instance, (t) => target.secrets.redactText(t));
  if (arranged.kind !== 'ready') return { ...empty, outcome: arranged.kind, reason: arranged.reason };
  try {
    return await runScenario(operation, scenario, arranged.answer, ctx);
  } finally {
    await target.arranger.teardown(scenario.state, instance);
  }
}
