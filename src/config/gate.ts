/**
 * The gate's settings (issue 8 §2, §5): how much must run for a pass
 * (CONFORMANCE_REQUIRE), how often a failed scenario is retried
 * (CONFORMANCE_RETRIES) and whether a scenario that failed and then passed
 * may pass the gate (CONFORMANCE_ALLOW_FLAKY). Each bad value is one
 * ConfigError naming the variable.
 */
import { ConfigError } from './env.ts';

/**
 * How much of the catalogue must run for a pass (CONFORMANCE_REQUIRE):
 * `arrangeable`: every scenario the chosen mode can arrange runs (and passes);
 * `all`: every scenario of the catalogue, no skip; `none`: judge only what ran.
 */
export type CoverageRequirement = 'arrangeable' | 'all' | 'none';

export interface GateSettings {
  require: CoverageRequirement;
  retries: number;
  allowFlaky: boolean;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['', '0', 'false', 'no', 'off']);
/** Retries beyond this only hide a broken target and multiply the run time. */
export const MAX_RETRIES = 5;

export function loadGateSettings(env: NodeJS.ProcessEnv = process.env): GateSettings {
  const requireRaw = env.CONFORMANCE_REQUIRE?.trim().toLowerCase() ?? '';
  let require: CoverageRequirement = 'arrangeable';
  if (requireRaw === 'all' || requireRaw === 'none' || requireRaw === 'arrangeable') require = requireRaw;
  else if (requireRaw !== '')
    throw new ConfigError(
      `CONFORMANCE_REQUIRE="${env.CONFORMANCE_REQUIRE}" is not known; use arrangeable (default: every scenario the mode can arrange must run), all (every scenario of the catalogue) or none (judge only what ran)`,
    );
  const retriesRaw = env.CONFORMANCE_RETRIES?.trim() ?? '';
  const retries = retriesRaw === '' ? 0 : Number(retriesRaw);
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
    throw new ConfigError(`CONFORMANCE_RETRIES="${env.CONFORMANCE_RETRIES}" must be a whole number from 0 (default) to ${MAX_RETRIES}`);
  }
  const flakyRaw = env.CONFORMANCE_ALLOW_FLAKY?.trim().toLowerCase() ?? '';
  if (!TRUE.has(flakyRaw) && !FALSE.has(flakyRaw)) throw new ConfigError(`CONFORMANCE_ALLOW_FLAKY="${env.CONFORMANCE_ALLOW_FLAKY}" must be true or false`);
  return { require, retries, allowFlaky: TRUE.has(flakyRaw) };
}

/** For playwright.config.ts: a bad value must not break the config; the global setup stops the run with the message. */
export function retriesOrZero(env: NodeJS.ProcessEnv = process.env): number {
  try {
    return loadGateSettings(env).retries;
  } catch {
    return 0;
  }
}
