/**
 * The keyword-level translation of an OpenAPI 3.0 schema object into draft-07:
 * which keywords are copied as they are, exclusive bounds, and `nullable`.
 */
import { ordered, type JSONSchema } from './json-schema.ts';

/** Validation keywords that mean the same in OpenAPI 3.0 and draft-07: copied as they are. */
export const COPIED = new Set([
  'title', 'description', 'type', 'enum', 'format', 'pattern', 'minLength', 'maxLength',
  'minimum', 'maximum', 'multipleOf', 'minItems', 'maxItems', 'uniqueItems', 'required',
  'minProperties', 'maxProperties', 'default', 'readOnly', 'writeOnly', 'deprecated',
]);
// Everything else is dropped: example, xml, externalDocs, x-*, OpenAPI's
// discriminator (its mapping/semantics differ from Ajv's), and anything unknown
// to draft-07, because Ajv's strict mode refuses unknown keywords.

const ANNOTATIONS = ['title', 'description', 'default', 'readOnly', 'writeOnly', 'deprecated'];

/**
 * OpenAPI 3.0 writes exclusive bounds as draft-04 booleans next to the bound;
 * draft-07 wants the bound itself as the value. Rewrites `out` (the converted
 * keywords of `node`) in place.
 */
export function translateExclusiveBounds(node: Record<string, unknown>, out: JSONSchema): void {
  for (const [flag, bound] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']] as const) {
    if (node[flag] === true && typeof node[bound] === 'number') {
      out[flag] = node[bound];
      delete out[bound];
    } else if (typeof node[flag] === 'number') out[flag] = node[flag];
  }
}

/**
 * OpenAPI 3.0 `nullable: true` as JSON Schema. A plain typed schema gets a type
 * union (and null in its enum, which would otherwise still refuse null). Anything
 * with composition or without a type is wrapped, because `type: [T, "null"]`
 * next to an allOf would still have the allOf refuse null.
 */
export function nullable(schema: JSONSchema): JSONSchema {
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
