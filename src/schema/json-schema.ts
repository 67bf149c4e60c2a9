/**
 * The vocabulary of the derived schemas, shared by the derivation, the
 * generation library and the validator: the JSONSchema type, the two profiles,
 * a oneOf variant, the `code` tag and the annotation keyword naming a branch's
 * code, the fixed output key order, and DerivationError.
 */
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

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
/**
 * Annotation keyword carrying a oneOf branch's code. Not a JSON Schema keyword:
 * the validator registers it with Ajv so strict mode accepts it.
 */
export const VARIANT_KEYWORD = 'x-variant';
/** The property that names an error variant in Katapult's error bodies. */
export const TAG = 'code';

/** Raised for a document that cannot be derived; the message names the source and where. */
export class DerivationError extends Error {
  override name = 'DerivationError';
}

/** Output key order: fixed so that the generated files are stable and readable. */
const KEY_ORDER = [
  '$schema', '$comment', '$ref', 'title', 'description', VARIANT_KEYWORD, 'type', 'enum', 'const',
  'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'exclusiveMinimum', 'maximum',
  'exclusiveMaximum', 'multipleOf', 'items', 'minItems', 'maxItems', 'uniqueItems', 'properties',
  'required', 'additionalProperties', 'minProperties', 'maxProperties', 'discriminator', 'allOf',
  'oneOf', 'anyOf', 'not', 'default', 'readOnly', 'writeOnly', 'deprecated', 'definitions',
];

export function ordered(schema: JSONSchema): JSONSchema {
  const out: JSONSchema = {};
  for (const key of KEY_ORDER) if (key in schema) out[key] = schema[key];
  for (const key of Object.keys(schema).sort()) if (!(key in out)) out[key] = schema[key];
  return out;
}

export const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
/** $refs are URI fragments; a stray "%" must not turn a document problem into a crash. */
export const safeDecode = (s: string) => {
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
export function allowedCodes(propertySchema: unknown): string[] {
  if (!isObject(propertySchema)) return [];
  if (typeof propertySchema.const === 'string') return [propertySchema.const];
  if (Array.isArray(propertySchema.enum)) return propertySchema.enum.filter((v): v is string => typeof v === 'string');
  return [];
}
