/**
 * The run's own inputs besides the target: waivers (applied to the scenario
 * reports before the verdict) and the baseline (compared after it). Both were
 * checked by the global setup; a problem here was already reported there.
 */
import type { ScenarioReport, RunModel } from './model.ts';
import { applyWaivers, type WaiverSummary } from './waivers.ts';
import { loadWaivers } from './waivers-file.ts';
import { compareWithBaseline, loadBaseline, type Changes } from './baseline.ts';

export function withWaivers(scenarios: ScenarioReport[], knownIds: readonly string[]): { scenarios: ScenarioReport[]; waivers?: WaiverSummary } {
  let loaded;
  try {
    loaded = loadWaivers(knownIds);
  } catch {
    return { scenarios };
  }
  if (!loaded) return { scenarios };
  const { scenarios: judged, summary } = applyWaivers(scenarios, loaded.waivers, loaded.source);
  return { scenarios: judged as ScenarioReport[], waivers: summary };
}

export function changesSinceBaseline(model: Pick<RunModel, 'scenarios' | 'provenance' | 'target'>): Changes | undefined {
  try {
    const baseline = loadBaseline();
    return baseline && compareWithBaseline(baseline, model);
  } catch {
    return undefined;
  }
}
