/**
 * How live mode names what it creates: every throwaway token is named
 * `conformance-suite-<run id>-<state>-<random>`, so that a run's leftovers
 * (and any run's, `npm run cleanup`) can be found and deleted by name.
 */
import { randomBytes } from 'node:crypto';

/** Every throwaway token's name starts with this; `npm run cleanup` deletes by it. */
export const THROWAWAY_PREFIX = 'conformance-suite-';
/** Set by the global setup; every worker names its tokens with it. */
export const RUN_ID_VARIABLE = 'CONFORMANCE_RUN_ID';
/** A new run id: UTC time to the second and 6 random hex digits, e.g. 20250101T120000-a1b2c3. */
export function newRunId(date = new Date()): string {
  return `${date.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

export const runPrefix = (runId: string): string => `${THROWAWAY_PREFIX}${runId}-`;
