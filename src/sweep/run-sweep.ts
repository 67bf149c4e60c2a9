/**
 * Runs sweep scenarios in process (outside Playwright's runner), with their
 * states arranged and torn down as the fixture does: for the proof tests and
 * the benchmark.
 */
import { randomUUID } from 'node:crypto';
import { arrange } from '../states/arranger.ts';
import type { InProcessTarget } from '../engine/run-catalogue.ts';
import type { ScenarioResult } from '../engine/run-scenario.ts';
import type { AuthLayerScenario } from './catalogue.ts';
import { runAuthLayerScenario } from './run.ts';

export async function runSweep(target: InProcessTarget, scenarios: readonly AuthLayerScenario[], concurrency = 8): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = new Array(scenarios.length);
  let next = 0;
  const worker = async () => {
    while (next < scenarios.length) {
      const i = next++;
      results[i] = await runOne(scenarios[i]!, target);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, scenarios.length) }, worker));
  return results;
}

async function runOne(s: AuthLayerScenario, target: InProcessTarget): Promise<ScenarioResult> {
  const empty = { id: s.id, findings: [], exchanges: [] };
  if (s.skip) return { ...empty, outcome: 'skipped', reason: s.skip };
  if (!s.state) return runAuthLayerScenario(s, null, target);
  const availability = target.arranger.availability(s.state);
  if (!availability.ok) return { ...empty, outcome: 'skipped', reason: availability.reason };
  const instance = `${s.id}-${randomUUID()}`;
  const arranged = await arrange(target.arranger, s.state, instance, (t) => target.secrets.redactText(t));
  if (arranged.kind !== 'ready') return { ...empty, outcome: arranged.kind, reason: arranged.reason };
  try {
    return await runAuthLayerScenario(s, arranged.answer, target);
  } finally {
    await target.arranger.teardown(s.state, instance);
  }
}
