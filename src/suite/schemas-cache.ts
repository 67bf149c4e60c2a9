/**
 * Which derived schemas a run judges against. The project's own documents
 * (SPECS_DIR unset) are judged by the committed schemas/, which must be
 * fresh. Another SPECS_DIR (say, a folder with the vendor's whole Core API
 * document) whose documents schemas/ was never derived from is derived for the
 * run into a cache folder keyed by the documents' hash, and schemas/ is left
 * alone; documents that schemas/ WAS derived from, but that changed since,
 * still stop the run (a stale schema would judge against the wrong contract).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../config/env.ts';
import { checkSchemas, deriveSpecsDir, listSpecs, type CheckResult } from '../schema/generate.ts';
import { DEFAULT_SCHEMAS_DIR, DEFAULT_SPECS_DIR, MANIFEST_FILE } from '../schema/manifest.ts';

export type SchemasChoice =
  | { kind: 'project'; dir: string }
  | { kind: 'derived-for-run'; dir: string; fresh: boolean }
  | { kind: 'stale'; dir: string; result: CheckResult };

/** sha256 over the documents' names and bytes: the cache key. */
export function specsHash(specsDir: string): string {
  const hash = createHash('sha256');
  for (const file of listSpecs(specsDir)) {
    hash.update(`${file}\u0000`);
    hash.update(readFileSync(path.join(specsDir, file)));
    hash.update('\u0000');
  }
  return hash.digest('hex');
}

/** The document labels ("specs/<file>") that schemas/manifest.json was derived from. */
function derivedDocuments(schemasDir: string): string[] {
  try {
    const manifest = JSON.parse(readFileSync(path.join(schemasDir, MANIFEST_FILE), 'utf8')) as { documents?: { path?: unknown }[] };
    return (manifest.documents ?? []).map((d) => String(d.path)).sort();
  } catch {
    return [];
  }
}

/** node_modules/.cache when it can be written (the usual place for a tool's cache), else the system's temporary folder. */
export function cacheRoot(): string {
  const preferred = path.join(REPO_ROOT, 'node_modules', '.cache', 'katapult-conformance');
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    const fallback = path.join(tmpdir(), 'katapult-conformance-cache');
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

/**
 * Decides (and, for a new SPECS_DIR, derives) the schemas of the run. Throws
 * the deriver's SpecError for an unusable document, as checkSchemas does.
 */
export function chooseSchemas(specsDir: string, projectSchemasDir: string = DEFAULT_SCHEMAS_DIR): SchemasChoice {
  const result = checkSchemas(specsDir, projectSchemasDir);
  if (result.ok) return { kind: 'project', dir: projectSchemasDir };
  const labels = listSpecs(specsDir).map((f) => `specs/${f}`).sort();
  const sameDocuments = labels.join('\n') === derivedDocuments(projectSchemasDir).join('\n');
  if (path.resolve(specsDir) === path.resolve(DEFAULT_SPECS_DIR) || sameDocuments) return { kind: 'stale', dir: projectSchemasDir, result };
  const dir = path.join(cacheRoot(), `schemas-${specsHash(specsDir).slice(0, 16)}`);
  if (existsSync(dir) && checkSchemas(specsDir, dir).ok) return { kind: 'derived-for-run', dir, fresh: false };
  deriveSpecsDir(specsDir, dir);
  return { kind: 'derived-for-run', dir, fresh: true };
}
