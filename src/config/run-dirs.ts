/**
 * The folders a run reads its contract from: the OpenAPI documents
 * (SPECS_DIR) and the schemas derived from them (schemas/, or the folder the
 * global setup derived them into for this run). Read by the global setup,
 * the workers and the reporter alike.
 */
import path from 'node:path';
import { REPO_ROOT } from './env.ts';
import { DEFAULT_SCHEMAS_DIR, DEFAULT_SPECS_DIR } from '../schema/manifest.ts';

/** SPECS_DIR: where the OpenAPI documents are (default specs/); schemas/ must be derived from them. */
export function specsDirFrom(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.SPECS_DIR?.trim();
  return v ? path.resolve(REPO_ROOT, v) : DEFAULT_SPECS_DIR;
}

/** Internal: the global setup names the schemas folder of the run here, for the workers and the reporter. */
export const SCHEMAS_DIR_VARIABLE = 'CONFORMANCE_SCHEMAS_DIR';

/** The schemas folder the global setup chose for this run (schemas/ when it chose none). */
export function runSchemasDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[SCHEMAS_DIR_VARIABLE]?.trim() || DEFAULT_SCHEMAS_DIR;
}
