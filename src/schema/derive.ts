/**
 * OpenAPI 3.0 -> standalone draft-07 JSON Schemas, one per JSON request body and
 * per documented response of every operation. Pure: no I/O, same input, same
 * output (key order included), so the generated files can be checked for
 * staleness byte for byte.
 *
 * Two profiles:
 * - `published`: the schemas exactly as the vendor documents them, translated
 *   to JSON Schema and nothing more.
 * - `strict` (default): what the conformance contract asks for. An error body
 *   (status >= 400, properties code/description/detail) requires all three keys
 *   and an object `detail`, and a `oneOf` whose branches each fix one `code`
 *   gets Ajv's `discriminator`, so a failure names the variant that was meant.
 *
 * This file is the entry point and the walk over a document's operations and
 * responses. One body's schema is converted by schema-converter.ts ($refs
 * inlined), its keywords by openapi-keywords.ts (nullable, exclusive bounds,
 * what is copied), the strict profile's rules are in strict-profile.ts, and the
 * shared vocabulary (JSONSchema, Profile, TAG, DerivationError...) in
 * json-schema.ts.
 */
import type { OpenAPIV3 } from 'openapi-types';
import { isObject } from '../model/json.ts';
import { allowedCodes, DerivationError, escapePointer, TAG, VARIANT_KEYWORD, type JSONSchema, type Profile, type Variant } from './json-schema.ts';
import { SchemaConverter } from './schema-converter.ts';

export interface DerivedResponse {
  description: string;
  /** null when the response documents no JSON body. */
  schema: JSONSchema | null;
  /** The oneOf branches of the body that fix a `code` (empty for a body without oneOf). */
  variants: Variant[];
  /** Every `code` value the body may carry: the variants' codes, or a plain body's fixed codes. */
  codes: string[];
}

export interface DerivedOperation {
  /** The document's operationId, or `<method> <path>` when it has none. */
  operationId: string;
  method: string;
  path: string;
  /** File-name-safe, unique within the document. */
  slug: string;
  request?: JSONSchema;
  /** Keyed by the document's status key ("200", "4XX", "default"), in document order. */
  responses: Record<string, DerivedResponse>;
}

export interface DeriveOptions {
  /** Names the document in error messages, e.g. "specs/regenerate-secret.openapi.json". */
  source: string;
  profile?: Profile;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Json = { [key: string]: unknown };

/** `post:api_token_regenerate_secret` -> `post-api_token_regenerate_secret`. */
export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]+/g, '-').replace(/^-+|-+$/g, '') || 'operation';
}

function jsonMediaType(content: unknown): Json | undefined {
  if (!isObject(content)) return undefined;
  const types = Object.keys(content);
  const chosen =
    types.find((t) => t.toLowerCase() === 'application/json') ??
    types.find((t) => /^application\/([\w.-]+\+)?json(\s*;.*)?$/i.test(t));
  return chosen && isObject(content[chosen]) ? (content[chosen] as Json) : undefined;
}

/** Status keys >= 400 (and "4XX"/"5XX") are error bodies; "default" is not assumed to be one. */
export function isErrorStatus(status: string): boolean {
  return /^[45](\d\d|XX)$/i.test(status);
}

function variantsOf(schema: JSONSchema | null): Variant[] {
  if (!schema || !Array.isArray(schema.oneOf)) return [];
  const out: Variant[] = [];
  for (const branch of schema.oneOf as JSONSchema[]) {
    const code = branch[VARIANT_KEYWORD];
    if (typeof code === 'string') out.push({ code, title: typeof branch.title === 'string' ? branch.title : code });
  }
  return out;
}

function codesOf(schema: JSONSchema | null, variants: Variant[]): string[] {
  if (variants.length > 0) return variants.map((v) => v.code);
  if (!schema || !isObject(schema.properties)) return [];
  return allowedCodes(schema.properties[TAG]);
}

/**
 * Derives every operation of an OpenAPI 3.0 document. Throws DerivationError,
 * naming `opts.source` and the place in the document, for anything it cannot
 * derive (a $ref that does not resolve, a schema that is not an object...).
 */
export function deriveDocument(doc: OpenAPIV3.Document, opts: DeriveOptions): DerivedOperation[] {
  const source = opts.source;
  const profile: Profile = opts.profile ?? 'strict';
  if (!isObject(doc)) throw new DerivationError(`${source}: not an OpenAPI document (expected a JSON object)`);
  const version = (doc as unknown as Json).openapi;
  if (typeof version !== 'string') throw new DerivationError(`${source}: not an OpenAPI document (no "openapi" version field)`);
  if (!/^3\.0\.\d+$/.test(version)) throw new DerivationError(`${source}: OpenAPI ${version} is not supported; only 3.0.x documents are`);
  if (!isObject(doc.paths)) throw new DerivationError(`${source}: the document has no "paths" object`);

  // Explicitly typed so that TypeScript narrows after `d.fail(...)` (which never returns).
  const d: SchemaConverter = new SchemaConverter(doc as unknown as Json, source, profile);
  const operations: DerivedOperation[] = [];
  const ids = new Set<string>();
  const slugs = new Set<string>();

  for (const [path, rawItem] of Object.entries(doc.paths)) {
    const itemWhere = `/paths/${escapePointer(path)}`;
    const item = d.deref(rawItem, itemWhere);
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      const where = `${itemWhere}/${method}`;
      if (!isObject(op)) d.fail(where, 'an operation must be an object');

      const operationId = typeof op.operationId === 'string' && op.operationId ? op.operationId : `${method} ${path}`;
      if (ids.has(operationId)) d.fail(where, `duplicate operationId "${operationId}"`);
      ids.add(operationId);
      let slug = slugify(operationId);
      for (let i = 2; slugs.has(slug); i++) slug = `${slugify(operationId)}-${i}`;
      slugs.add(slug);

      let request: JSONSchema | undefined;
      if (op.requestBody !== undefined) {
        const body = d.deref(op.requestBody, `${where}/requestBody`);
        const media = jsonMediaType(body.content);
        if (media && media.schema !== undefined) request = d.root(media.schema, `${where}/requestBody/content/schema`, false);
      }
      const derived: DerivedOperation = { operationId, method, path, slug, ...(request ? { request } : {}), responses: {} };

      if (!isObject(op.responses)) d.fail(where, 'an operation must have a "responses" object');
      for (const [status, rawResponse] of Object.entries(op.responses)) {
        const at = `${where}/responses/${escapePointer(status)}`;
        const response = d.deref(rawResponse, at);
        const media = jsonMediaType(response.content);
        const schema = media && media.schema !== undefined ? d.root(media.schema, `${at}/content/schema`, isErrorStatus(status)) : null;
        const variants = variantsOf(schema);
        derived.responses[status] = {
          description: typeof response.description === 'string' ? response.description : '',
          schema,
          variants,
          codes: codesOf(schema, variants),
        };
      }
      operations.push(derived);
    }
  }
  return operations;
}
