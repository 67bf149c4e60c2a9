/**
 * Start-up checks that turn a broken setup into one clear sentence before any
 * scenario runs: the OpenAPI documents in specs/ must be readable and valid,
 * and schemas/ must be exactly what they derive to (a stale schema would
 * judge the target against the wrong contract); a STATE_URL must answer the
 * first setup like a provider-state endpoint.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../config/env.ts';
import { specsDirFrom } from '../config/run-dirs.ts';
import { SpecError } from '../schema/generate.ts';
import { DEFAULT_SCHEMAS_DIR, DEFAULT_SPECS_DIR } from '../schema/manifest.ts';
import { chooseSchemas, type SchemasChoice } from './schemas-cache.ts';
import { STATE_NAMES } from '../protocol/provider-states.ts';
import type { SecretRegistry } from '../model/redact.ts';
import { ProviderStateArranger } from '../arrange/provider-state-arranger.ts';

/**
 * Checks the documents and picks the schemas of the run (schemas/, or a cache
 * folder derived for a SPECS_DIR that schemas/ was never derived from; see
 * schemas-cache.ts). Stale schemas of the project's own documents stop the run.
 */
export function checkSpecsAndSchemas(env: NodeJS.ProcessEnv = process.env, schemasDir: string = DEFAULT_SCHEMAS_DIR): SchemasChoice {
  const specsDir = specsDirFrom(env);
  const shown = (p: string) => path.relative(process.cwd(), p) || '.';
  let choice: SchemasChoice;
  try {
    choice = chooseSchemas(specsDir, schemasDir);
  } catch (e) {
    if (e instanceof SpecError) {
      throw new ConfigError(`the OpenAPI document cannot be used: ${e.message} (documents are read from ${shown(specsDir)}; fix or replace it, then run "npm run schemas")`);
    }
    throw new ConfigError(`the OpenAPI documents in ${shown(specsDir)} cannot be checked: ${(e as Error).message}`);
  }
  if (choice.kind === 'stale') {
    const result = choice.result;
    const first = result.stale[0] ?? result.missing[0] ?? result.extra[0];
    const extraSpecs = specsDir === DEFAULT_SPECS_DIR ? '' : ` -- --specs ${shown(specsDir)}`;
    throw new ConfigError(
      `the derived schemas in ${shown(schemasDir)} do not match the OpenAPI documents in ${shown(specsDir)} (${result.stale.length} stale, ${result.missing.length} missing, ${result.extra.length} extra, e.g. ${first}); run "npm run schemas${extraSpecs}" to derive them again`,
    );
  }
  return choice;
}

/**
 * One setup (and its teardown) of the first state through STATE_URL before
 * any scenario: a 404 or a page that is not JSON stops the run with one
 * message naming STATE_URL. Without it, every stateful scenario fails on its
 * own "not arranged" and Playwright replaces its worker process after each
 * of those failures, which made such a run cost ten times an unreachable one.
 */
export async function checkStateEndpoint(stateUrl: string, timeoutMs: number, secrets: SecretRegistry): Promise<void> {
  const arranger = new ProviderStateArranger(stateUrl, secrets, timeoutMs);
  const problem = await arranger.firstSetupProblem(STATE_NAMES[0], `conformance-start-check-${randomUUID()}`);
  if (problem) {
    throw new ConfigError(
      `STATE_URL=${stateUrl}: ${problem}; that is not a provider-state endpoint: check the path (the reference mock serves it at /_provider-states, next to /core/v1)`,
    );
  }
}
