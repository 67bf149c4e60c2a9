/**
 * The vendor's own OpenAPI documents (reference data, never copied into the
 * project): tests that compare against them read them from here and, when a
 * document is absent, skip with the reason below, which `npm test`'s summary
 * repeats in capitals (tests/support/summary-reporter.ts), so that a clone
 * without them is never mistaken for the full proof. CI has them.
 * CONFORMANCE_REFERENCE_DIR points elsewhere (and lets the loud skip be tested).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.ts';

export const REFERENCE_DIR = process.env.CONFORMANCE_REFERENCE_DIR
  ? path.resolve(process.env.CONFORMANCE_REFERENCE_DIR)
  : path.join(REPO_ROOT, '..', 'shared', 'reference');

export function referenceFile(name: string): string {
  return path.join(REFERENCE_DIR, name);
}

/** The skip reason when the document is absent, else undefined. */
export function missingReference(name: string): string | undefined {
  if (existsSync(referenceFile(name))) return undefined;
  return `REFERENCE DATA MISSING: the vendor's ${name} was not found (set CONFORMANCE_REFERENCE_DIR to the folder with the vendor's OpenAPI documents); this comparison did not run`;
}
