/**
 * A live run as a whole (global setup and teardown): names the run, checks
 * the credentials with the token list, and at the end sweeps this run's
 * leftover throwaway tokens by their name prefix.
 */
import { ConfigError, type LiveCredentials, type SuiteConfig } from '../config/env.ts';
import { Pacer } from '../engine/pacer.ts';
import type { SecretRegistry } from '../model/redact.ts';
import { LiveApi, type LiveApiError, type LiveToken } from './live-api.ts';
import { newRunId, RUN_ID_VARIABLE, runPrefix, THROWAWAY_PREFIX } from './live-names.ts';

/** A refused token list at the start of a run, as one configuration sentence. */
function describeListFailure(e: unknown, baseUrl: string, organization: string): ConfigError {
  const err = e as LiveApiError;
  const msg = err.message;
  if (err.status === undefined) return new ConfigError(`live mode: BASE_URL=${baseUrl} did not answer the token list (${msg})`);
  if (err.code === 'organization_not_found')
    return new ConfigError(`KATAPULT_ORGANIZATION="${organization}": the deployment knows no such organization (${msg}); give the organization's id (org_…) or its sub-domain`);
  if (err.code === 'missing_api_token' || err.code === 'invalid_api_token')
    return new ConfigError(`KATAPULT_API_TOKEN was refused by the deployment (${msg}); check the token and that it has not expired`);
  if (err.status === 403)
    return new ConfigError(`KATAPULT_API_TOKEN may not list the API tokens of KATAPULT_ORGANIZATION="${organization}" (${msg}); live mode needs a token with the api_tokens scope in that organization`);
  if (err.status === 429) return new ConfigError(`live mode: the deployment is already rate-limiting KATAPULT_API_TOKEN (${msg}); wait for the window to pass and run again`);
  if (err.status === 404)
    return new ConfigError(`live mode: BASE_URL=${baseUrl} does not serve the token-management operations (${msg}); BASE_URL must be the API base including /core/v1`);
  return new ConfigError(`live mode: the token list at the start of the run failed (${msg})`);
}

/**
 * Global setup of a live run: names the run, checks the credentials with the
 * token list, and answers the global teardown, which deletes this run's
 * leftovers by name (Playwright runs it also after Ctrl-C).
 */
export async function prepareLiveRun(
  config: SuiteConfig & { baseUrl: string; live: LiveCredentials },
  secrets: SecretRegistry,
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  env: NodeJS.ProcessEnv = process.env,
): Promise<() => Promise<void>> {
  const runId = env[RUN_ID_VARIABLE] || newRunId();
  env[RUN_ID_VARIABLE] = runId;
  secrets.add(config.live.token);
  const api = new LiveApi({ baseUrl: config.baseUrl, credentials: config.live, timeoutMs: config.requestTimeoutMs, secrets, pacer: new Pacer(config.liveRequestsPerSecond) });
  let tokens: LiveToken[];
  try {
    tokens = await api.list();
  } catch (e) {
    throw describeListFailure(e, config.baseUrl, config.live.organization);
  }
  const prefix = runPrefix(runId);
  const earlier = tokens.filter((t) => typeof t.name === 'string' && t.name.startsWith(THROWAWAY_PREFIX)).length;
  log(`Live mode: ${api.organizationLabel}; throwaway tokens of this run are named ${prefix}… and deleted after their scenario.`);
  if (earlier) log(`Live mode: ${earlier} throwaway token(s) of earlier runs (named ${THROWAWAY_PREFIX}…) are still in the organization; "npm run cleanup" deletes them.`);
  return async () => {
    let result;
    try {
      result = await api.deleteByPrefix(prefix);
    } catch (e) {
      throw new Error(`live mode: the end-of-run sweep of this run's throwaway tokens failed (${(e as Error).message}); run "npm run cleanup" to delete tokens named ${prefix}…`);
    }
    if (result.deleted.length) log(`Live mode: deleted ${result.deleted.length} leftover throwaway token(s) of this run.`);
    if (result.failed.length) {
      throw new Error(`live mode: ${result.failed.length} throwaway token(s) of this run could not be deleted (${result.failed[0]!.error}); run "npm run cleanup"`);
    }
  };
}
