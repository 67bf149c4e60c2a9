/**
 * Start-up checks that turn a broken setup into one clear sentence before any
 * scenario runs: the OpenAPI documents in specs/ must be readable and valid,
 * and schemas/ must be exactly what they derive to (a stale schema would
 * judge the target against the wrong contract).
 */
import path from 'node:path';
import { ConfigError, REPO_ROOT } from '../config/env.ts';
import { DEFAULT_SCHEMAS_DIR, DEFAULT_SPECS_DIR, SpecError } from '../schema/cli.ts';
import { chooseSchemas, type SchemasChoice } from './schemas-cache.ts';

/** SPECS_DIR: where the OpenAPI documents are (default specs/); schemas/ must be derived from them. */
export function specsDirFrom(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.SPECS_DIR?.trim();
  return v ? path.resolve(REPO_ROOT, v) : DEFAULT_SPECS_DIR;
}

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
