/**
 * What every worker needs once: configuration, the compiled schemas, the
 * state arranger and the secret registry.
 */
import { ConfigError, loadConfig, loadDotenv, type SuiteConfig } from '../config/env.ts';
import { SecretRegistry } from '../model/redact.ts';
import type { ResponseValidator } from '../schema/validator.ts';
import { NoStateArranger, type StateArranger } from '../arrange/arranger.ts';
import { ProviderStateArranger } from '../arrange/provider-state-arranger.ts';
import { createLiveArranger, LiveArranger } from '../arrange/live-arranger.ts';
import type { RequestGuard } from '../engine/run-scenario.ts';
import { loadSchemas } from '../operations/run-schemas.ts';

export interface SuiteContext {
  config: SuiteConfig & { baseUrl: string };
  schemas: ResponseValidator;
  arranger: StateArranger;
  secrets: SecretRegistry;
  /** Live mode: paces every request of the suite to the deployment. */
  pace?: () => Promise<void>;
  /** Live mode: refuses any request that could regenerate a token this run did not create. */
  guard?: RequestGuard;
}

export function createArranger(config: SuiteConfig, secrets: SecretRegistry, env: NodeJS.ProcessEnv = process.env): StateArranger {
  switch (config.mode) {
    case 'bundled':
    case 'state':
      return new ProviderStateArranger(config.stateUrl!, secrets, config.requestTimeoutMs);
    case 'base-only':
      return new NoStateArranger();
    case 'live':
      // No network here: the global setup checks the credentials once per run.
      return createLiveArranger({ ...config, baseUrl: config.baseUrl!, live: config.live! }, secrets, env);
  }
}

export function createSuiteContext(env: NodeJS.ProcessEnv = process.env): SuiteContext {
  loadDotenv(env);
  const config = loadConfig(env);
  if (!config.baseUrl) throw new ConfigError('BASE_URL is not set and the bundled mock was not started (run the suite through playwright test, whose global setup starts it)');
  const secrets = new SecretRegistry();
  secrets.add(config.live?.token);
  const arranger = createArranger(config, secrets, env);
  return {
    config: config as SuiteConfig & { baseUrl: string },
    schemas: loadSchemas(),
    arranger,
    secrets,
    ...(arranger instanceof LiveArranger ? { pace: arranger.pace, guard: arranger.guard } : {}),
  };
}
