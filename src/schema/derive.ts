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
 */
import type { OpenAPIV3 } from 'openapi-types';
import { isObject } from '../model/json.ts';

/** A JSON Schema as plain JSON data. */
export type JSONSchema = { [keyword: string]: unknown };
export type Profile = 'strict' | 'published';

export interface Variant {
  /** The single `code` value that selects this oneOf branch. */
  code: string;
  /** The component name of the branch (its `title` in the derived schema). */
  title: string;
}

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

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
/**
 * Annotation keyword carrying a oneOf branch's code. Not a JSON Schema keyword:
 * the validator registers it with Ajv so strict mode accepts it.
 */
export const VARIANT_KEYWORD = 'x-variant';
/** The property that names an error variant in Katapult's error bodies. */
export const TAG = 'code';
const ERROR_KEYS = ['code', 'description', 'detail'] as const;

/** Raised for a document that cannot be derived; the message names the source and where. */
export class DerivationError extends Error {
  override name = 'DerivationError';
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Validation keywords that mean the same in OpenAPI 3.0 and draft-07: copied as they are. */
const COPIED = new Set([
  'title', 'description', 'type', 'enum', 'format', 'pattern', 'minLength', 'maxLength',
  'minimum', 'maximum', 'multipleOf', 'minItems', 'maxItems', 'uniqueItems', 'required',
  'minProperties', 'maxProperties', 'default', 'readOnly', 'writeOnly', 'deprecated',
]);
// Everything else is dropped: example, xml, externalDocs, x-*, OpenAPI's
// discriminator (its mapping/semantics differ from Ajv's), and anything unknown
// to draft-07, because Ajv's strict mode refuses unknown keywords.

/** Output key order: fixed so that the generated files are stable and readable. */
const KEY_ORDER = [
  '$schema', '$comment', '$ref', 'title', 'description', VARIANT_KEYWORD, 'type', 'enum', 'const',
  'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'exclusiveMinimum', 'maximum',
  'exclusiveMaximum', 'multipleOf', 'items', 'minItems', 'maxItems', 'uniqueItems', 'properties',
  'required', 'additionalProperties', 'minProperties', 'maxProperties', 'discriminator', 'allOf',
  'oneOf', 'anyOf', 'not', 'default', 'readOnly', 'writeOnly', 'deprecated', 'definitions',
];
const ANNOTATIONS = ['title', 'description', 'default', 'readOnly', 'writeOnly', 'deprecated'];

type Json = { [key: string]: unknown };

export function ordered(schema: JSONSchema): JSONSchema {
  const out: JSONSchema = {};
  for (const key of KEY_ORDER) if (key in schema) out[key] = schema[key];
  for (const key of Object.keys(schema).sort()) if (!(key in out)) out[key] = schema[key];
  return out;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
/** $refs are URI fragments; a stray "%" must not turn a document problem into a crash. */
const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The single string a `code` property schema fixes, if it fixes exactly one. */
export function fixedCode(propertySchema: unknown): string | undefined {
  if (!isObject(propertySchema)) return undefined;
  if (typeof propertySchema.const === 'string') return propertySchema.const;
  const e = propertySchema.enum;
  if (Array.isArray(e) && e.length === 1 && typeof e[0] === 'string') return e[0];
  return undefined;
}

/** Every string a `code` property schema allows (const or enum). */
function allowedCodes(propertySchema: unknown): string[] {
  if (!isObject(propertySchema)) return [];
  if (typeof propertySchema.const === 'string') return [propertySchema.const];
  if (Array.isArray(propertySchema.enum)) return propertySchema.enum.filter((v): v is string => typeof v === 'string');
  return [];
}

/** `post:api_token_regenerate_secret` -> `post-api_token_regenerate_secret`. */
export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]+/g, '-').replace(/^-+|-+$/g, '') || 'operation';
}

/**
 * Derivation of one document. Each root schema (one body) is built from scratch:
 * every `$ref` is inlined afresh, so later rewriting of a root never touches
 * another one.
 */
class Deriver {
  constructor(
    private readonly doc: Json,
    private readonly source: string,
    private readonly profile: Profile,
  ) {}

  fail(where: string, problem: string): never {
    throw new DerivationError(`${this.source}: ${problem}${where ? ` (at ${where})` : ''}`);
  }

  /** Resolves a local JSON pointer `$ref` ("#/components/..."). */
  resolve(ref: string, where: string): unknown {
    if (!ref.startsWith('#/')) this.fail(where, `$ref "${ref}" is not a local reference; only "#/..." references are supported`);
    let node: unknown = this.doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = safeDecode(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isObject(node) && !Array.isArray(node)) this.fail(where, `$ref "${ref}" does not resolve`);
      node = (node as Json)[key];
      if (node === undefined) this.fail(where, `$ref "${ref}" does not resolve`);
    }
    return node;
  }

  /** Follows a chain of `$ref`s to a non-schema object (response, request body, parameter). */
  deref(node: unknown, where: string): Json {
    const seen = new Set<string>();
    while (isObject(node) && typeof node.$ref === 'string') {
      if (seen.has(node.$ref)) this.fail(where, `$ref cycle through "${node.$ref}"`);
      seen.add(node.$ref);
      const ref: string = node.$ref;
      node = this.resolve(ref, where);
      where = ref;
    }
    if (!isObject(node)) this.fail(where, 'expected an object');
    return node;
  }

  /** A standalone draft-07 schema for one body; `isError` selects the strict error-body rules. */
  root(node: unknown, where: string, isError: boolean): JSONSchema {
    const defs = new Definitions();
    let schema = this.convert(node, where, [], defs);
    // A recursive component is referenced as #/definitions/<name>; materialise
    // each one once, itself converted with its own name on the stack so that its
    // self-references point back to the definition instead of expanding forever.
    for (let ref = defs.nextPending(); ref; ref = defs.nextPending()) {
      defs.set(ref, this.convert(this.resolve(ref, where), ref, [ref], defs));
    }
    if (this.profile === 'strict' && isError) schema = strictErrorBody(schema);
    schema = addDiscriminators(schema);
    const definitions = defs.materialised();
    const out: JSONSchema = { $schema: DRAFT_07, ...schema };
    if (definitions) out.definitions = Object.fromEntries(Object.entries(definitions).map(([k, v]) => [k, addDiscriminators(v)]));
    return ordered(out);
  }

  convert(node: unknown, where: string, stack: string[], defs: Definitions): JSONSchema {
    if (!isObject(node)) this.fail(where, 'a schema must be an object');

    if (typeof node.$ref === 'string') {
      // OpenAPI 3.0 ignores a $ref's siblings, except that authors routinely put
      // `nullable` there and mean it, so that one is honoured.
      const ref = node.$ref;
      const inlined = stack.includes(ref)
        ? { $ref: `#/definitions/${escapePointer(defs.nameFor(ref))}` }
        : this.convert(this.resolve(ref, where), ref, [...stack, ref], defs);
      return node.nullable === true ? nullable(inlined) : inlined;
    }

    const out: JSONSchema = {};
    for (const [key, value] of Object.entries(node)) {
      const at = `${where}/${escapePointer(key)}`;
      if (COPIED.has(key)) out[key] = structuredClone(value);
      else if (key === 'properties') {
        if (!isObject(value)) this.fail(at, '"properties" must be an object');
        out.properties = Object.fromEntries(
          Object.entries(value).map(([name, sub]) => [name, this.convert(sub, `${at}/${escapePointer(name)}`, stack, defs)]),
        );
      } else if (key === 'items' || key === 'not') out[key] = this.convert(value, at, stack, defs);
      else if (key === 'additionalProperties') {
        out[key] = typeof value === 'boolean' ? value : this.convert(value, at, stack, defs);
      } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
        if (!Array.isArray(value)) this.fail(at, `"${key}" must be an array`);
        out[key] = value.map((sub, i) => {
          const converted = this.convert(sub, `${at}/${i}`, stack, defs);
          return key === 'oneOf' ? nameBranch(converted, sub) : converted;
        });
      }
    }
    // OpenAPI 3.0 writes exclusive bounds as draft-04 booleans next to the bound;
    // draft-07 wants the bound itself as the value.
    for (const [flag, bound] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']] as const) {
      if (node[flag] === true && typeof node[bound] === 'number') {
        out[flag] = node[bound];
        delete out[bound];
      } else if (typeof node[flag] === 'number') out[flag] = node[flag];
    }
    const result = ordered(out);
    return node.nullable === true ? nullable(result) : result;
  }
}

/** Recursive components, named once per root schema. */
class Definitions {
  private names = new Map<string, string>();
  private schemas = new Map<string, JSONSchema>();
  private pending: string[] = [];

  nameFor(ref: string): string {
    let name = this.names.get(ref);
    if (!name) {
      const base = safeDecode(ref.split('/').pop() || 'definition');
      const taken = new Set(this.names.values());
      name = base;
      for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
      this.names.set(ref, name);
      this.pending.push(ref);
    }
    return name;
  }
  nextPending(): string | undefined {
    return this.pending.shift();
  }
  set(ref: string, schema: JSONSchema) {
    this.schemas.set(this.names.get(ref)!, schema);
  }
  materialised(): Record<string, JSONSchema> | undefined {
    if (this.schemas.size === 0) return undefined;
    return Object.fromEntries([...this.schemas.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/**
 * OpenAPI 3.0 `nullable: true` as JSON Schema. A plain typed schema gets a type
 * union (and null in its enum, which would otherwise still refuse null). Anything
 * with composition or without a type is wrapped, because `type: [T, "null"]`
 * next to an allOf would still have the allOf refuse null.
 */
function nullable(schema: JSONSchema): JSONSchema {
  const composite = ['allOf', 'anyOf', 'oneOf', 'not', '$ref'].some((k) => k in schema);
  if (typeof schema.type === 'string' && !composite) {
    const out: JSONSchema = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
    return ordered(out);
  }
  const outer: JSONSchema = {};
  const inner: JSONSchema = {};
  for (const [k, v] of Object.entries(schema)) (ANNOTATIONS.includes(k) ? outer : inner)[k] = v;
  return ordered({ ...outer, anyOf: [inner, { type: 'null' }] });
}

/** A oneOf branch carries its component name and its code so that a failure can be named. */
function nameBranch(converted: JSONSchema, original: unknown): JSONSchema {
  const out = { ...converted };
  if (isObject(original) && typeof original.$ref === 'string') {
    out.title = safeDecode(original.$ref.split('/').pop()!);
  }
  const code = isObject(out.properties) ? fixedCode(out.properties[TAG]) : undefined;
  if (code !== undefined) out[VARIANT_KEYWORD] = code;
  return ordered(out);
}

const hasErrorShape = (s: JSONSchema) => isObject(s.properties) && ERROR_KEYS.every((k) => k in (s.properties as Json));

/**
 * Strict profile, error bodies: every documented example carries code,
 * description and detail, and detail is always an object, so the suite requires
 * them even where the published schema marks nothing required. Applied to the
 * body and to the branches of its top-level combinators (the 403 oneOf).
 */
function strictErrorBody(schema: JSONSchema): JSONSchema {
  let out: JSONSchema = { ...schema };
  if (hasErrorShape(out)) {
    const props = { ...(out.properties as Json) };
    props.detail = objectOnly(props.detail as JSONSchema);
    const existing = Array.isArray(out.required) ? (out.required as string[]) : [];
    out = {
      ...out,
      type: 'object',
      properties: props,
      required: [...ERROR_KEYS, ...existing.filter((k) => !(ERROR_KEYS as readonly string[]).includes(k))],
    };
  }
  for (const key of ['allOf', 'oneOf', 'anyOf']) {
    if (Array.isArray(out[key])) out[key] = (out[key] as JSONSchema[]).map(strictErrorBody);
  }
  return ordered(out);
}

/** `detail` must be an object: its documented properties stay, null and other types go. */
function objectOnly(detail: JSONSchema): JSONSchema {
  if ('$ref' in detail) return { type: 'object', allOf: [detail] };
  const type = detail.type;
  if (type === undefined || (Array.isArray(type) && type.includes('object'))) {
    const out: JSONSchema = { ...detail, type: 'object' };
    if (Array.isArray(out.enum)) out.enum = out.enum.filter((v) => v !== null);
    return ordered(out);
  }
  // Documented as something other than an object: the documentation wins.
  return detail;
}

/**
 * Adds Ajv's `discriminator` to every oneOf whose branches each fix a distinct
 * `code`, require it, and are objects. These are Ajv's own preconditions (it
 * throws at compile time otherwise); the published profile never requires
 * `code`, so it never gets one. With a discriminator Ajv skips the oneOf keyword
 * and only checks objects, hence `type: "object"` next to it: without it a
 * non-object body would pass.
 */
function addDiscriminators(schema: JSONSchema): JSONSchema {
  const out: JSONSchema = { ...schema };
  for (const [key, value] of Object.entries(out)) {
    if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, addDiscriminators(v as JSONSchema)]));
    } else if ((key === 'items' || key === 'not' || key === 'additionalProperties') && isObject(value)) {
      out[key] = addDiscriminators(value);
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map((v) => addDiscriminators(v as JSONSchema));
    }
  }
  const branches = out.oneOf;
  if (!Array.isArray(branches) || branches.length === 0 || 'discriminator' in out) return out;
  const seen = new Set<string>();
  const parentRequires = Array.isArray(out.required) && out.required.includes(TAG);
  const eligible = (branches as JSONSchema[]).every((b) => {
    const code = isObject(b.properties) ? fixedCode(b.properties[TAG]) : undefined;
    if (code === undefined || seen.has(code)) return false;
    seen.add(code);
    const required = parentRequires || (Array.isArray(b.required) && b.required.includes(TAG));
    return required && b.type === 'object';
  });
  if (!eligible) return out;
  if (out.type !== undefined && out.type !== 'object') return out;
  return ordered({ ...out, type: 'object', discriminator: { propertyName: TAG } });
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
  const d: Deriver = new Deriver(doc as unknown as Json, source, profile);
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
