/**
 * The one Ajv instance of the suite, the derived schemas it validates against,
 * and the one place where Ajv errors become Findings.
 *
 * Findings are written for a QA engineer: they name the status, the variant a
 * oneOf body meant (from its `code`), the field, what was expected and what came
 * back, e.g.
 *   403 body (variant UnauthorizedNetworkForAPITokenSchema, code unauthorized_network_for_api_token): /detail/ip_address must be string, got number
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { error, warning, type Finding } from '../model/finding.ts';
import { DEFAULT_SCHEMAS_DIR, MANIFEST_FILE, type Manifest } from './cli.ts';
import { fixedCode, TAG, VARIANT_KEYWORD, type DerivedOperation, type JSONSchema, type Profile, type Variant } from './derive.ts';
import { isObject } from '../model/json.ts';

/** Formats an OpenAPI 3.0 document may use that draft-07 does not define. */
const OPENAPI_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];

function createAjv(): Ajv {
  const instance = new Ajv({
    allErrors: true, // every wrong field of a body, not just the first
    discriminator: true, // the strict profile's oneOf bodies are discriminated on `code`
    strict: true,
    // Vendors routinely write `properties`/`required` without `type: "object"`;
    // strictTypes would refuse to compile their own schemas, and adding the type
    // would change what the published profile means. Every other strict check
    // (unknown keywords, unknown formats, required vs properties...) stays on.
    strictTypes: false,
  });
  addFormats(instance); // full mode already knows the OpenAPI formats; the loop below makes sure
  for (const format of OPENAPI_FORMATS) if (!instance.formats[format]) instance.addFormat(format, true);
  // Annotation only: names the code of a oneOf branch (see derive.ts).
  instance.addKeyword({ keyword: VARIANT_KEYWORD, schemaType: 'string' });
  return instance;
}

/** The suite's single Ajv instance. */
export const ajv: Ajv = createAjv();

/**
 * Strict mode refuses a format it does not know. A vendor document may use its
 * own (say "ip-address"); the suite cannot check those, but refusing the whole
 * schema over them would stop every run, so they are accepted unchecked.
 */
function allowUnknownFormats(schema: unknown) {
  if (Array.isArray(schema)) return schema.forEach(allowUnknownFormats);
  if (!isObject(schema)) return;
  if (typeof schema.format === 'string' && !ajv.formats[schema.format]) ajv.addFormat(schema.format, true);
  for (const value of Object.values(schema)) allowUnknownFormats(value);
}

type Json = { [key: string]: unknown };

// ---------------------------------------------------------------------------
// Schema sets

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

// ---------------------------------------------------------------------------
// The validator

export class ResponseValidator {
  /** Compiled once per (operation, status key); Ajv compilation is the expensive part. */
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly set: SchemaSet) {}

  private op(operationId: string): SchemaSetOperation {
    const op = this.set.operations.get(operationId);
    if (!op) {
      const known = [...this.set.operations.keys()];
      const shown = known.length > 10 ? `${known.slice(0, 10).join(', ')}, ... (${known.length} in all)` : known.join(', ');
      throw new Error(`Unknown operationId "${operationId}": the schemas in ${this.set.origin} document ${shown || 'no operations'}`);
    }
    return op;
  }

  /** The documented response for a status: exact key first, then "4XX", then "default". */
  private lookup(operationId: string, status: number): { key: string; response: SchemaSetResponse } | undefined {
    const { responses } = this.op(operationId);
    const range = `${String(status)[0]}XX`;
    for (const key of [String(status), range, range.toLowerCase(), 'default']) {
      if (responses[key]) return { key, response: responses[key] };
    }
    return undefined;
  }

  operation(operationId: string): { method: string; path: string; statuses: number[] } {
    const op = this.op(operationId);
    return { method: op.method, path: op.path, statuses: this.documentedStatuses(operationId) };
  }

  /** Numeric statuses only ("4XX"/"default" are ranges, not statuses a scenario can expect), ascending. */
  documentedStatuses(operationId: string): number[] {
    return Object.keys(this.op(operationId).responses)
      .filter((s) => /^\d{3}$/.test(s))
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The oneOf variants of a status's body (empty when the body is not a oneOf). */
  variants(operationId: string, status: number): Variant[] {
    return this.lookup(operationId, status)?.response.variants ?? [];
  }

  /** The response's description in the document ("" when the status is not documented). */
  description(operationId: string, status: number): string {
    return this.lookup(operationId, status)?.response.description ?? '';
  }

  /** Every `code` a status's body may carry (the variants' codes, or a plain error body's fixed code). */
  codes(operationId: string, status: number): string[] {
    return this.lookup(operationId, status)?.response.codes ?? [];
  }

  /** The derived schema of a status's body, or null when it documents none. */
  schemaFor(operationId: string, status: number): JSONSchema | null {
    return this.lookup(operationId, status)?.response.schema ?? null;
  }

  /**
   * Checks a parsed body against the derived schema of its status (check id
   * `schema`, severity error). Returns nothing when the status is not documented
   * or documents no JSON body, and for `undefined` (no parsed body): those are
   * the status, content-type and JSON checks' findings, not this one's.
   */
  validate(operationId: string, status: number, body: unknown, exchange?: string): Finding[] {
    const found = this.lookup(operationId, status);
    if (!found?.response.schema || body === undefined) return [];
    const validateFn = this.compile(operationId, found.key, found.response.schema);
    if (validateFn(body)) return [];
    return ajvErrorsToFindings(validateFn.errors, { status, schema: found.response.schema, body, exchange });
  }

  /**
   * Fields the documentation does not list (check id `undocumented_fields`,
   * severity warning, one finding per field). Only objects whose schema lists
   * properties are judged; a free-form object such as `detail: {}` never is.
   */
  undocumentedFields(operationId: string, status: number, body: unknown, exchange?: string): Finding[] {
    const schema = this.lookup(operationId, status)?.response.schema;
    if (!schema) return [];
    const findings: Finding[] = [];
    const seen = new Set<string>();
    walkUndocumented([schema], body, '', schema, (pointer, documented) => {
      if (seen.has(pointer)) return;
      seen.add(pointer);
      const list = documented.length > 12 ? `${documented.slice(0, 12).join(', ')}, ...` : documented.join(', ');
      findings.push(
        warning('undocumented_fields', `${status} body: ${pointer} is not a documented field (documented here: ${list})`, {
          instancePath: pointer,
          ...(exchange ? { exchange } : {}),
        }),
      );
    });
    return findings;
  }

  private compile(operationId: string, statusKey: string, schema: JSONSchema): ValidateFunction {
    const cacheKey = `${operationId}\u0000${statusKey}`;
    let fn = this.compiled.get(cacheKey);
    if (!fn) {
      allowUnknownFormats(schema);
      fn = ajv.compile(schema);
      this.compiled.set(cacheKey, fn);
    }
    return fn;
  }
}

// ---------------------------------------------------------------------------
// Ajv errors -> Findings

export interface ErrorContext {
  /** HTTP status of the response (or a label such as "request"). */
  status: number | string;
  /** The root schema that was validated: oneOf branches are named from it. */
  schema: JSONSchema;
  /** The validated value: only the value at an error's instancePath is ever quoted. */
  body: unknown;
  exchange?: string;
  /** Check id; defaults to "schema". */
  check?: string;
  /** How the body is named in messages; defaults to "<status> body". */
  subject?: string;
}

/**
 * The one place Ajv errors are turned into Findings. Redundant errors are
 * collapsed first: of a oneOf only the branch that the body's `code` selects is
 * reported (or one "matches no variant" finding when none is selected), and of a
 * nullable `anyOf [T, null]` only T's errors, read as "T or null".
 */
export function ajvErrorsToFindings(errors: readonly ErrorObject[] | null | undefined, context: ErrorContext): Finding[] {
  if (!errors || errors.length === 0) return [];
  const { kept, orNull } = collapse(errors, context);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    const finding = describe(e, context, orNull.has(e));
    const key = `${finding.instancePath}\u0000${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');
const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const segments = (pointer: string) => pointer.replace(/^#/, '').split('/').slice(1).map(unescapePointer);

/** The value at a JSON pointer ("" is the whole value). */
function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const seg of pointer ? segments(pointer) : []) {
    if (Array.isArray(node)) node = node[Number(seg)];
    else if (isObject(node)) node = node[seg];
    else return undefined;
  }
  return node;
}

/** The schema node at an Ajv schemaPath ("#/oneOf/0/properties/x/type"). */
function schemaAt(root: JSONSchema, schemaPath: string): unknown {
  let node: unknown = root;
  for (const seg of segments(schemaPath)) {
    if (Array.isArray(node)) node = node[Number(seg)];
    else if (isObject(node)) node = node[seg];
    else return undefined;
  }
  return node;
}

const isWithin = (path: string, parent: string) => path === parent || path.startsWith(`${parent}/`);
const isNullSchema = (s: unknown) => isObject(s) && s.type === 'null' && Object.keys(s).length === 1;

/** Which oneOf branch a value's `code` selects: by the branch's x-variant, else its fixed code. */
function selectBranch(branches: unknown[], value: unknown): number {
  if (!isObject(value) || typeof value[TAG] !== 'string') return -1;
  return branches.findIndex(
    (b) => isObject(b) && (b[VARIANT_KEYWORD] === value[TAG] || (isObject(b.properties) && fixedCode(b.properties[TAG]) === value[TAG])),
  );
}

function collapse(errors: readonly ErrorObject[], ctx: ErrorContext) {
  const dropped = new Set<ErrorObject>();
  const orNull = new Set<ErrorObject>();
  // Outermost combinators first, so that an inner one in a dropped branch is dropped with it.
  const combinators = errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);

  for (const c of combinators) {
    if (dropped.has(c)) continue;
    const prefix = `${c.schemaPath}/`;
    const children = errors.filter((e) => e !== c && e.schemaPath.startsWith(prefix) && isWithin(e.instancePath, c.instancePath));
    const branchOf = (e: ErrorObject) => Number(e.schemaPath.slice(prefix.length).split('/')[0]);
    const branches = schemaAt(ctx.schema, c.schemaPath);
    const list = Array.isArray(branches) ? branches : [];

    if (c.keyword === 'oneOf') {
      const selected = c.params.passingSchemas ? -1 : selectBranch(list, valueAt(ctx.body, c.instancePath));
      if (selected >= 0 && children.some((e) => branchOf(e) === selected)) {
        dropped.add(c);
        for (const e of children) if (branchOf(e) !== selected) dropped.add(e);
      } else {
        // No branch is meant (or several match): one finding about the oneOf itself.
        for (const e of children) dropped.add(e);
      }
    } else {
      const nullBranch = list.findIndex(isNullSchema);
      const others = children.filter((e) => branchOf(e) !== nullBranch);
      if (nullBranch >= 0) for (const e of children) if (branchOf(e) === nullBranch) dropped.add(e);
      if (others.length > 0) {
        dropped.add(c);
        if (nullBranch >= 0) {
          for (const e of others) if (e.keyword === 'type' && e.instancePath === c.instancePath) orNull.add(e);
        }
      }
    }
  }
  return { kept: errors.filter((e) => !dropped.has(e)), orNull };
}

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * A value as quoted in a finding: primitives as they are (long strings cut),
 * containers only by their shape, since they may hold a secret and the finding
 * is about the container, not its content.
 */
function quote(v: unknown): unknown {
  if (typeof v === 'string') return v.length > 120 ? `${v.slice(0, 120)}…` : v;
  if (Array.isArray(v)) return `<array of ${v.length} item${v.length === 1 ? '' : 's'}>`;
  if (isObject(v)) return `<object with ${Object.keys(v).length} key${Object.keys(v).length === 1 ? '' : 's'}>`;
  return v;
}
const show = (v: unknown) => {
  const q = quote(v);
  return typeof q === 'string' && !(Array.isArray(v) || isObject(v)) ? JSON.stringify(q) : String(q);
};
const list = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** The schemaPath with each oneOf branch index replaced by its title: #/oneOf[InvalidAPITokenSchema]/... */
export function readableSchemaPath(root: JSONSchema, schemaPath: string): string {
  const segs = segments(schemaPath);
  const out: string[] = [];
  let node: unknown = root;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const next = segs[i + 1];
    if (seg === 'oneOf' && next !== undefined && /^\d+$/.test(next) && isObject(node) && Array.isArray(node.oneOf)) {
      const branch = node.oneOf[Number(next)];
      out.push(isObject(branch) && typeof branch.title === 'string' ? `oneOf[${branch.title}]` : `oneOf/${next}`);
      node = branch;
      i++;
      continue;
    }
    out.push(escapePointer(seg));
    node = Array.isArray(node) ? node[Number(seg)] : isObject(node) ? node[seg] : undefined;
  }
  return `#/${out.join('/')}`;
}

/** The variant of the root oneOf an error lies in, if any. */
function rootVariant(root: JSONSchema, schemaPath: string): { title: string; code?: string } | undefined {
  const m = /^#\/oneOf\/(\d+)(\/|$)/.exec(schemaPath);
  if (!m || !Array.isArray(root.oneOf)) return undefined;
  const branch = root.oneOf[Number(m[1])];
  if (!isObject(branch) || typeof branch.title !== 'string') return undefined;
  return { title: branch.title, code: typeof branch[VARIANT_KEYWORD] === 'string' ? (branch[VARIANT_KEYWORD] as string) : undefined };
}

/** The codes a discriminated (or code-fixing) oneOf documents, from its branches. */
function documentedCodes(oneOfOwner: unknown): string[] {
  if (!isObject(oneOfOwner) || !Array.isArray(oneOfOwner.oneOf)) return [];
  return oneOfOwner.oneOf
    .map((b) => (isObject(b) ? (b[VARIANT_KEYWORD] ?? (isObject(b.properties) ? fixedCode(b.properties[TAG]) : undefined)) : undefined))
    .filter((c): c is string => typeof c === 'string');
}

function describe(e: ErrorObject, ctx: ErrorContext, orNull: boolean): Finding {
  const subject = ctx.subject ?? `${ctx.status} body`;
  const variant = rootVariant(ctx.schema, e.schemaPath);
  const head = variant ? `${subject} (variant ${variant.title}${variant.code ? `, code ${variant.code}` : ''})` : subject;
  const value = valueAt(ctx.body, e.instancePath);
  const p = e.params as Record<string, unknown>;
  let pointer = e.instancePath;
  let text: string;
  let expected: unknown;
  let actual: unknown = quote(value);
  let hasActual = true;

  switch (e.keyword) {
    case 'type': {
      const types = ([] as string[]).concat(p.type as string | string[]);
      if (orNull && !types.includes('null')) types.push('null');
      expected = types.length === 1 ? types[0] : types;
      text = `must be ${types.join(' or ')}, got ${jsonType(value)}`;
      break;
    }
    case 'required': {
      pointer = `${e.instancePath}/${escapePointer(String(p.missingProperty))}`;
      text = 'is required but missing';
      expected = 'present';
      actual = 'missing';
      break;
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]) ?? [];
      expected = allowed.length === 1 ? allowed[0] : allowed;
      text = allowed.length === 1 ? `must be ${list(allowed)}, got ${show(value)}` : `must be one of ${list(allowed)}, got ${show(value)}`;
      break;
    }
    case 'const':
      expected = p.allowedValue;
      text = `must be ${JSON.stringify(p.allowedValue)}, got ${show(value)}`;
      break;
    case 'format':
      expected = `a valid ${p.format}`;
      text = `must be a valid ${p.format}, got ${show(value)}`;
      break;
    case 'additionalProperties':
      pointer = `${e.instancePath}/${escapePointer(String(p.additionalProperty))}`;
      text = 'is not allowed (the schema admits no other properties)';
      expected = 'absent';
      actual = 'present';
      break;
    case 'discriminator': {
      const codes = documentedCodes(schemaAt(ctx.schema, e.schemaPath.replace(/\/discriminator$/, '')));
      const tagName = String(p.tag ?? TAG);
      pointer = `${e.instancePath}/${escapePointer(tagName)}`;
      const tagValue = valueAt(ctx.body, pointer);
      expected = codes;
      actual = quote(tagValue);
      if (p.error === 'mapping') {
        text = `${show(tagValue)} is not a documented ${tagName} for status ${ctx.status} (documented: ${codes.join(', ')})`;
      } else if (tagValue === undefined) {
        text = `is missing; it must name the variant, one of: ${codes.join(', ')}`;
        actual = 'missing';
      } else {
        text = `must be a string naming the variant (one of: ${codes.join(', ')}), got ${jsonType(tagValue)}`;
      }
      break;
    }
    case 'oneOf': {
      const branches = schemaAt(ctx.schema, e.schemaPath);
      const titles = (Array.isArray(branches) ? branches : []).map((b, i) => (isObject(b) && typeof b.title === 'string' ? b.title : `#${i}`));
      const passing = p.passingSchemas as number[] | null;
      if (Array.isArray(passing)) {
        text = `matches more than one variant (${passing.map((i) => titles[i]).join(', ')}); the documentation allows exactly one`;
        expected = 'exactly one variant';
        actual = passing.map((i) => titles[i]);
      } else {
        const codes = documentedCodes(schemaAt(ctx.schema, e.schemaPath.replace(/\/oneOf$/, '')));
        const tag = isObject(value) ? value[TAG] : undefined;
        text =
          codes.length > 0
            ? `matches none of the documented variants: ${TAG} ${tag === undefined ? 'is missing' : `${show(tag)} is not one of`} ${codes.join(', ')}`
            : `matches none of the documented variants (${titles.join(', ')})`;
        expected = codes.length > 0 ? codes : titles;
        actual = codes.length > 0 ? quote(tag) : quote(value);
      }
      break;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      expected = `${p.comparison} ${p.limit}`;
      text = `must be ${p.comparison} ${p.limit}, got ${show(value)}`;
      break;
    case 'pattern':
      expected = `matching ${p.pattern}`;
      text = `must match the pattern ${p.pattern}, got ${show(value)}`;
      break;
    default:
      // minLength, maxItems, uniqueItems...: Ajv's own wording is already plain English.
      text = `${e.message ?? `fails ${e.keyword}`}${value === undefined ? '' : `, got ${show(value)}`}`;
      hasActual = value !== undefined;
  }

  const message = pointer ? `${head}: ${pointer} ${text}` : `${head} ${text}`;
  return error(ctx.check ?? 'schema', message, {
    ...(expected !== undefined ? { expected } : {}),
    ...(hasActual ? { actual } : {}),
    instancePath: pointer,
    schemaPath: readableSchemaPath(ctx.schema, e.schemaPath),
    ...(ctx.exchange ? { exchange: ctx.exchange } : {}),
  });
}

// ---------------------------------------------------------------------------
// Undocumented fields

interface Shape {
  /** Documented property name -> the schemas that describe it. */
  properties: Map<string, JSONSchema[]>;
  /** Some schema here admits any property (additionalProperties / free-form map). */
  open: boolean;
  additional: JSONSchema[];
  items: JSONSchema[];
}

/** Merges what a value's applicable schemas document: own keywords, allOf, the selected oneOf branch, non-null anyOf branches. */
function shapeOf(schemas: JSONSchema[], value: unknown, root: JSONSchema): Shape {
  const shape: Shape = { properties: new Map(), open: false, additional: [], items: [] };
  const visit = (s: unknown, depth: number) => {
    if (!isObject(s) || depth > 50) return;
    if (typeof s.$ref === 'string' && s.$ref.startsWith('#/')) visit(schemaAt(root, s.$ref), depth + 1);
    if (isObject(s.properties)) {
      for (const [name, sub] of Object.entries(s.properties)) {
        const list = shape.properties.get(name) ?? [];
        list.push(sub as JSONSchema);
        shape.properties.set(name, list);
      }
    }
    if (s.additionalProperties === true || isObject(s.additionalProperties)) shape.open = true;
    if (isObject(s.additionalProperties)) shape.additional.push(s.additionalProperties);
    if (isObject(s.items)) shape.items.push(s.items);
    if (Array.isArray(s.allOf)) for (const sub of s.allOf) visit(sub, depth + 1);
    if (Array.isArray(s.anyOf)) for (const sub of s.anyOf) if (!isNullSchema(sub)) visit(sub, depth + 1);
    if (Array.isArray(s.oneOf)) {
      const selected = selectBranch(s.oneOf, value);
      // Without a selected variant, judging against all branches at once is the
      // lenient reading; the schema check already reports the unmatched body.
      if (selected >= 0) visit(s.oneOf[selected], depth + 1);
      else for (const sub of s.oneOf) visit(sub, depth + 1);
    }
  };
  for (const s of schemas) visit(s, 0);
  return shape;
}

function walkUndocumented(
  schemas: JSONSchema[],
  value: unknown,
  pointer: string,
  root: JSONSchema,
  report: (pointer: string, documented: string[]) => void,
) {
  if (value === null || typeof value !== 'object') return;
  const shape = shapeOf(schemas, value, root);
  if (Array.isArray(value)) {
    if (shape.items.length > 0) value.forEach((item, i) => walkUndocumented(shape.items, item, `${pointer}/${i}`, root, report));
    return;
  }
  const documented = [...shape.properties.keys()];
  for (const [key, sub] of Object.entries(value as Json)) {
    const at = `${pointer}/${escapePointer(key)}`;
    const described = shape.properties.get(key);
    if (described) walkUndocumented(described, sub, at, root, report);
    else if (shape.additional.length > 0) walkUndocumented(shape.additional, sub, at, root, report);
    else if (documented.length > 0 && !shape.open) report(at, documented);
  }
}
