/**
 * The sweep as the suite runs it: the scenarios of the documents under
 * SPECS_DIR (except the operations with their own catalogue), and why a
 * mode does not run them.
 */
import type { SuiteConfig } from '../config/env.ts';
import { OPERATION_ID } from '../scenarios/regenerate-secret.catalogue.ts';
import { specsDirFrom } from '../suite/preflight.ts';
import { sweepCatalogue, type AuthLayerScenario } from './catalogue.ts';
import { loadAuthLayerOperations } from './load.ts';

/** Operations whose own catalogue already holds the sweep's cases: not swept. */
export const OWN_CATALOGUE_OPERATIONS: readonly string[] = [OPERATION_ID];

/** The sweep's scenarios for this run; none when the documents cannot be read (the global setup says why). */
export function sweepScenarios(env: NodeJS.ProcessEnv = process.env): AuthLayerScenario[] {
  try {
    return sweepCatalogue(loadAuthLayerOperations(specsDirFrom(env)), { exclude: OWN_CATALOGUE_OPERATIONS });
  } catch {
    return [];
  }
}

/** Live mode runs the sweep only when asked: it sends ~4 requests per documented operation to the deployment. */
export function sweepUnavailable(config: Pick<SuiteConfig, 'mode' | 'liveAuthSweep'>): string | undefined {
  if (config.mode === 'live' && !config.liveAuthSweep) {
    return 'the authentication-layer sweep is opt-in against a live deployment: set LIVE_AUTH_SWEEP=true to send each operation requests without a valid credential (or with a throwaway token lacking its scope), paced by LIVE_REQUESTS_PER_SECOND';
  }
  return undefined;
}

/** By id, for the reporter. */
let byId: Map<string, AuthLayerScenario> | undefined;
export function sweepScenarioById(id: string): AuthLayerScenario | undefined {
  byId ??= new Map(sweepScenarios().map((s) => [s.id, s]));
  return byId.get(id);
}
