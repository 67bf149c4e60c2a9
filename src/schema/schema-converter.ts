/**
 * One OpenAPI 3.0 schema (a body's) -> one standalone draft-07 schema. Every
 * `$ref` is inlined afresh for each root, so later rewriting of a root never
 * touches another one; a recursive component becomes a local `definitions`
 * entry. The keywords themselves are translated by openapi-keywords.ts, and the
 * strict profile's rules applied by strict-profile.ts.
 */
import { isObject } from '../model/json.ts';
import { DerivationError, DRAFT_07, escapePointer, fixedCode, ordered, safeDecode, TAG, VARIANT_KEYWORD, type JSONSchema, type Profile } from './json-schema.ts';
import { COPIED, nullable, translateExclusiveBounds } from './openapi-keywords.ts';
import { addDiscriminators, strictErrorBody } from './strict-profile.ts';

type Json = { [key: string]: unknown };

/** The schemas of one document; `fail` throws the DerivationError naming the document and the place. */
export class SchemaConverter {
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

  private convert(node: unknown, where: string, stack: string[], defs: Definitions): JSONSchema {
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
    translateExclusiveBounds(node, out);
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
