/**
 * Deriving a folder of OpenAPI documents into a folder of JSON Schemas, the
 * library behind `npm run schemas` (cli.ts) and the run's start-up check:
 *
 * - `deriveSpecsDir(specsDir, schemasDir)` writes what the documents derive to
 *   (only files whose content changed) and removes stale generated files;
 * - `checkSchemas(specsDir, schemasDir)` compares without writing;
 * - `deriveSchemasInMemory(specsDir)` is what either would write, in memory.
 *
 * A document that cannot be used throws SpecError, whose message names the file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { OpenAPIV3 } from 'openapi-types';
import { deriveDocument } from './derive.ts';
import { DerivationError, type Profile } from './json-schema.ts';
import { DEFAULT_SCHEMAS_DIR, DEFAULT_SPECS_DIR, GENERATED_MARK, MANIFEST_FILE, type Manifest, type ManifestDocument, type ManifestOperation, type ManifestResponse } from './manifest.ts';

const HINT = 'run npm run schemas';

/** A spec file that cannot be used; `message` names the file and the problem. */
export class SpecError extends Error {
  override name = 'SpecError';
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const toJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const generatedComment = (sources: { path: string; sha256: string }[]) =>
  `${GENERATED_MARK} from ${sources.map((s) => `${s.path} (sha256 ${s.sha256})`).join(', ')}; do not edit by hand`;

/** "regenerate-secret.openapi.json" -> "regenerate-secret". */
export function documentName(file: string): string {
  return file.replace(/\.openapi\.json$/i, '').replace(/\.json$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** The spec files of specs/, sorted; anything that is not a *.json document is an error. */
export function listSpecs(specsDir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(specsDir);
  } catch (e) {
    throw new SpecError(`${specsDir}: cannot read the specs directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const files: string[] = [];
  // Hidden files (.gitkeep, editor swap files) are not documents and are left alone.
  for (const entry of entries.filter((e) => !e.startsWith('.')).sort()) {
    const label = `specs/${entry}`;
    let isDirectory = false;
    try {
      isDirectory = statSync(join(specsDir, entry)).isDirectory();
    } catch (e) {
      throw new SpecError(`${label}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (isDirectory) {
      throw new SpecError(`${label}: is a directory; put OpenAPI documents directly in specs/`);
    }
    if (!entry.toLowerCase().endsWith('.json')) {
      throw new SpecError(`${label}: not a JSON OpenAPI document (only *.json files belong in specs/)`);
    }
    files.push(entry);
  }
  if (files.length === 0) throw new SpecError(`${specsDir}: no OpenAPI documents (*.json) found`);
  return files;
}

/**
 * Everything `npm run schemas` would write, in memory: path relative to the
 * schemas directory (always with "/") -> exact file content.
 */
export function deriveSchemasInMemory(specsDir: string = DEFAULT_SPECS_DIR, profile: Profile = 'strict'): Map<string, string> {
  const files = new Map<string, string>();
  const documents: ManifestDocument[] = [];
  const names = new Map<string, string>();

  for (const file of listSpecs(specsDir)) {
    const label = `specs/${file}`;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(specsDir, file));
    } catch (e) {
      throw new SpecError(`${label}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new SpecError(`${label}: not valid JSON (${(e as Error).message})`);
    }
    let operations;
    try {
      operations = deriveDocument(doc as OpenAPIV3.Document, { source: label, profile });
    } catch (e) {
      if (e instanceof DerivationError) throw new SpecError(e.message);
      throw e;
    }

    const name = documentName(file);
    if (names.has(name)) throw new SpecError(`${label}: its schemas would go to schemas/${name}/, like those of specs/${names.get(name)}; rename one of them`);
    names.set(name, file);

    const hash = sha256(bytes);
    const comment = generatedComment([{ path: label, sha256: hash }]);
    const write = (rel: string, schema: object) => files.set(rel, toJson({ $comment: comment, ...schema }));

    const manifestOps: ManifestOperation[] = operations.map((op) => {
      const base = `${name}/${op.slug}`;
      let request: string | null = null;
      if (op.request) write((request = `${base}.request.schema.json`), op.request);
      const responses: Record<string, ManifestResponse> = {};
      for (const [status, response] of Object.entries(op.responses)) {
        let schemaFile: string | null = null;
        if (response.schema) write((schemaFile = `${base}.response-${status}.schema.json`), response.schema);
        responses[status] = { description: response.description, file: schemaFile, variants: response.variants, codes: response.codes };
      }
      return {
        operationId: op.operationId,
        method: op.method,
        path: op.path,
        slug: op.slug,
        request,
        statuses: Object.keys(op.responses),
        responses,
      };
    });
    const servers = Array.isArray((doc as OpenAPIV3.Document).servers)
      ? (doc as OpenAPIV3.Document).servers!.map((s) => s.url).filter((u): u is string => typeof u === 'string')
      : [];
    documents.push({ path: label, name, sha256: hash, servers, operations: manifestOps });
  }

  const manifest: Manifest = { $comment: generatedComment(documents), profile, documents };
  files.set(MANIFEST_FILE, toJson(manifest));
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Files under `dir` that a previous run generated (they carry the mark), relative, with "/". */
export function existingGenerated(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.json') && isGenerated(readFileSync(join(dir, rel), 'utf8'))) found.push(rel);
    }
  };
  walk('');
  return found.sort();
}

function isGenerated(content: string): boolean {
  try {
    const parsed = JSON.parse(content);
    return typeof parsed?.$comment === 'string' && parsed.$comment.startsWith(GENERATED_MARK);
  } catch {
    return false; // not even JSON: not ours, so not ours to delete
  }
}

export interface GenerateResult {
  files: Map<string, string>;
  written: string[];
  unchanged: string[];
  removed: string[];
}

/** Writes the derived files (only those whose content changed) and removes stale generated ones. */
export function deriveSpecsDir(specsDir: string = DEFAULT_SPECS_DIR, schemasDir: string = DEFAULT_SCHEMAS_DIR): GenerateResult {
  const files = deriveSchemasInMemory(specsDir);
  const result: GenerateResult = { files, written: [], unchanged: [], removed: [] };
  for (const [rel, content] of files) {
    const target = join(schemasDir, ...rel.split('/'));
    if (existsSync(target) && readFileSync(target, 'utf8') === content) {
      result.unchanged.push(rel);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    result.written.push(rel);
  }
  for (const rel of existingGenerated(schemasDir)) {
    if (files.has(rel)) continue;
    rmSync(join(schemasDir, ...rel.split('/')));
    result.removed.push(rel);
    removeEmptyParents(schemasDir, rel);
  }
  return result;
}

function removeEmptyParents(root: string, rel: string) {
  for (let dir = dirname(join(root, ...rel.split('/'))); dir !== root && dir.startsWith(root + sep); dir = dirname(dir)) {
    if (readdirSync(dir).length > 0) return;
    rmdirSync(dir);
  }
}

export interface CheckResult {
  ok: boolean;
  /** Relative paths, with "/". */
  stale: string[];
  missing: string[];
  extra: string[];
  /** One line per problem plus the hint, or the one-line summary when fresh. */
  lines: string[];
}

/** Compares schemas/ with what the specs derive to; never writes. */
export function checkSchemas(specsDir: string = DEFAULT_SPECS_DIR, schemasDir: string = DEFAULT_SCHEMAS_DIR): CheckResult {
  const files = deriveSchemasInMemory(specsDir);
  const stale: string[] = [];
  const missing: string[] = [];
  for (const [rel, content] of files) {
    const target = join(schemasDir, ...rel.split('/'));
    if (!existsSync(target)) missing.push(rel);
    else if (readFileSync(target, 'utf8') !== content) stale.push(rel);
  }
  const extra = existingGenerated(schemasDir).filter((rel) => !files.has(rel));
  const ok = stale.length + missing.length + extra.length === 0;
  const shown = (rel: string) => relative(process.cwd(), join(schemasDir, ...rel.split('/'))) || rel;
  const lines = ok
    ? [`schemas are up to date: ${files.size} files from ${countDocuments(files)} (${shown('')})`]
    : [
        ...stale.map((rel) => `stale:   ${shown(rel)} differs from what the specs derive; ${HINT}`),
        ...missing.map((rel) => `missing: ${shown(rel)} is not generated yet; ${HINT}`),
        ...extra.map((rel) => `extra:   ${shown(rel)} no longer comes from any spec; ${HINT}`),
        `schemas are out of date (${stale.length} stale, ${missing.length} missing, ${extra.length} extra): ${HINT}`,
      ];
  return { ok, stale, missing, extra, lines };
}

export function countDocuments(files: Map<string, string>): string {
  const manifest = JSON.parse(files.get(MANIFEST_FILE)!) as Manifest;
  const ops = manifest.documents.reduce((n, d) => n + d.operations.length, 0);
  const docs = manifest.documents.length;
  return `${docs} document${docs === 1 ? '' : 's'}, ${ops} operation${ops === 1 ? '' : 's'}`;
}
