/**
 * Runs once before the workers: validates the configuration, starts the
 * bundled reference mock when BASE_URL is unset, and makes sure the target
 * and the state endpoint answer at all. Any problem ends the run with one
 * clear message and a non-zero exit.
 */
import { BUNDLED_MARKER, ConfigError, loadConfig, loadDotenv } from '../config/env.ts';
import { createMock } from '../mock/server.ts';
import { createArranger } from './context.ts';
import { loadSchemas } from '../operations/run-schemas.ts';
import { SecretRegistry } from '../model/redact.ts';
import { registerSecretSource } from '../leak/known-secrets.ts';
import { loadGateSettings } from '../config/gate.ts';
import { checkSpecsAndSchemas, checkStateEndpoint } from './preflight.ts';
import { SCHEMAS_DIR_VARIABLE, specsDirFrom } from '../config/run-dirs.ts';
import { noAnswerWords, sendHttp } from '../engine/http-sender.ts';
import { prepareLiveRun } from '../arrange/live-run.ts';
import { RUN_ID_VARIABLE } from '../arrange/live-names.ts';
import { shardFromArgv } from '../report/shard.ts';
import { loadWaivers } from '../report/waivers-file.ts';
import { loadBaseline } from '../report/baseline.ts';
import { plannedScenarios } from '../operations/registry.ts';

async function probe(name: string, url: string, timeoutMs: number): Promise<void> {
  try {
    await sendHttp({ method: 'GET', url, timeoutMs, readBody: false });
  } catch (e) {
    throw new ConfigError(`${name}=${url}: nothing answers there (${noAnswerWords(e, timeoutMs)}); check the URL and that the server is running`);
  }
}

export default async function globalSetup(): Promise<(() => Promise<void>) | void> {
  loadDotenv();
  const config = loadConfig();
  // CONFORMANCE_REQUIRE, CONFORMANCE_RETRIES, CONFORMANCE_ALLOW_FLAKY: a bad value stops the run here.
  loadGateSettings();
  // specs/ readable and valid, schemas/ derived from them: else one clear message.
  // A SPECS_DIR that schemas/ was never derived from is derived into a cache for this run.
  const schemas = checkSpecsAndSchemas();
  process.env[SCHEMAS_DIR_VARIABLE] = schemas.dir;
  if (schemas.kind === 'derived-for-run') {
    process.stdout.write(`SPECS_DIR: schemas ${schemas.fresh ? 'derived' : 'already derived'} for this run into ${schemas.dir} (schemas/ is left as it is)\n`);
  }
  loadSchemas();
  createArranger(config, new SecretRegistry());
  // A mistake in the waivers or the baseline stops the run now, not after every scenario ran.
  loadWaivers(plannedScenarios().map((p) => p.scenario.id));
  loadBaseline();

  if (config.mode === 'bundled' && !config.baseUrl) {
    // It serves the authentication layer of every operation of the run's documents.
    const mock = createMock({ specsDir: specsDirFrom() });
    const address = await mock.listen(0, '127.0.0.1');
    registerSecretSource('issued by the bundled mock', () => mock.issuedSecrets());
    process.env.BASE_URL = address.baseUrl;
    process.env.STATE_URL = address.stateUrl;
    process.env[BUNDLED_MARKER] = '1';
    return async () => {
      await mock.close();
    };
  }
  const probeTimeout = Math.min(config.requestTimeoutMs, 10_000);
  await probe('BASE_URL', config.baseUrl!, probeTimeout);
  if (config.stateUrl) {
    await probe('STATE_URL', config.stateUrl, probeTimeout);
    const checked = new SecretRegistry();
    registerSecretSource('the STATE_URL check at start', () => checked.all());
    await checkStateEndpoint(config.stateUrl, config.requestTimeoutMs, checked);
  }
  // Live mode: name the run and check the credentials; the returned teardown
  // deletes this run's leftover throwaway tokens (Playwright runs it after Ctrl-C too).
  // Shards of one CI run may share CONFORMANCE_RUN_ID: each shard gets its own
  // (its end-of-run sweep must never delete another shard's tokens in use).
  const shard = shardFromArgv();
  if (config.mode === 'live' && shard && process.env[RUN_ID_VARIABLE] && !process.env[RUN_ID_VARIABLE]!.endsWith(`-s${shard.current}of${shard.total}`)) {
    process.env[RUN_ID_VARIABLE] = `${process.env[RUN_ID_VARIABLE]}-s${shard.current}of${shard.total}`;
  }
  if (config.mode === 'live') return prepareLiveRun({ ...config, baseUrl: config.baseUrl!, live: config.live! }, new SecretRegistry());
}
