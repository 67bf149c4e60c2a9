/**
 * The derived schemas of every operation (a SchemaSet): loaded from a schemas
 * folder through its manifest, or built in memory from derived operations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DerivedOperation } from './derive.ts';
import type { JSONSchema, Profile, Variant } from './json-schema.ts';
import { DEFAULT_SCHEMAS_DIR, MANIFEST_FILE, type Manifest } from './manifest.ts';
import { isObject } from '../model/json.ts';

export interface SchemaSetResponse {
  description: string;
  schema: JSONSchema | null;
  variants: Variant[];
  codes: string[];
}

export interface SchemaSetOperation {
  operationId: string;
  method: string;
  path: string;
  slug: string;
  /** The spec it came from ("specs/regenerate-secret.openapi.json"). */
  document: string;
  request: JSONSchema | null;
  /** Keyed by the document's status key ("200", "4XX", "default"). */
  responses: Record<string, SchemaSetResponse>;
}

/** The derived schemas of every operation, keyed by operationId. */
export interface SchemaSet {
  /** Where it was loaded from: a schemas directory, or "<spec> (in memory)". */
  origin: string;
  profile: Profile;
  operations: ReadonlyMap<string, SchemaSetOperation>;
}

/** Loads schemas/manifest.json and the files it lists. Throws a clear Error when anything is missing or unreadable. */
export function loadSchemaSet(schemasDir: string = DEFAULT_SCHEMAS_DIR): SchemaSet {
  const readJson = (rel: string): unknown => {
    const file = join(schemasDir, ...rel.split('/'));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'ENOENT'
          ? `Cannot load the derived schemas: ${file} does not exist; run npm run schemas`
          : `Cannot load the derived schemas: ${file} cannot be read (${code ?? (e as Error).message})`,
      );
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error(`Cannot load the derived schemas: ${file} is not valid JSON (${(e as Error).message}); run npm run schemas`);
    }
  };

  const manifest = readJson(MANIFEST_FILE) as Manifest;
  if (!isObject(manifest) || !Array.isArray(manifest.documents)) {
    throw new Error(`Cannot load the derived schemas: ${join(schemasDir, MANIFEST_FILE)} is not a schemas manifest; run npm run schemas`);
  }
  const operations = new Map<string, SchemaSetOperation>();
  for (const doc of manifest.documents) {
    for (const op of doc.operations) {
      const responses: Record<string, SchemaSetResponse> = {};
      for (const [status, r] of Object.entries(op.responses)) {
        responses[status] = {
          description: r.description,
          schema: r.file ? (readJson(r.file) as JSONSchema) : null,
          variants: r.variants,
          codes: r.codes,
        };
      }
      addOperation(operations, {
        operationId: op.operationId,
        method: op.method,
        path: op.path,
        slug: op.slug,
        document: doc.path,
        request: op.request ? (readJson(op.request) as JSONSchema) : null,
        responses,
      });
    }
  }
  return { origin: schemasDir, profile: manifest.profile, operations };
}

/** A schema set straight from derived operations (no files): for tests and for the published profile. */
export function schemaSetFromOperations(ops: DerivedOperation[], document: string, profile: Profile = 'strict'): SchemaSet {
  const operations = new Map<string, SchemaSetOperation>();
  for (const op of ops) {
    const responses: Record<string, SchemaSetResponse> = {};
    for (const [status, r] of Object.entries(op.responses)) {
      responses[status] = { description: r.description, schema: r.schema, variants: r.variants, codes: r.codes };
    }
    addOperation(operations, { ...op, document, request: op.request ?? null, responses });
  }
  return { origin: `${document} (in memory)`, profile, operations };
}

function addOperation(into: Map<string, SchemaSetOperation>, op: SchemaSetOperation) {
  const previous = into.get(op.operationId);
  if (previous) {
    throw new Error(
      `operationId "${op.operationId}" is documented by both ${previous.document} and ${op.document}; keep one of the documents in specs/`,
    );
  }
  into.set(op.operationId, op);
}
