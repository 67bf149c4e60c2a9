/**
 * What the strict profile adds to a derived body: error bodies that require
 * code, description and an object detail, and Ajv's `discriminator` on a oneOf
 * whose branches each fix one `code`. The published profile gets neither
 * strictErrorBody nor (since it never requires `code`) a discriminator.
 */
import { isObject } from '../model/json.ts';
import { fixedCode, ordered, TAG, type JSONSchema } from './json-schema.ts';

const ERROR_KEYS = ['code', 'description', 'detail'] as const;

const hasErrorShape = (s: JSONSchema) => isObject(s.properties) && ERROR_KEYS.every((k) => k in (s.properties as Record<string, unknown>));

/**
 * Strict profile, error bodies: every documented example carries code,
 * description and detail, and detail is always an object, so the suite requires
 * them even where the published schema marks nothing required. Applied to the
 * body and to the branches of its top-level combinators (the 403 oneOf).
 */
export function strictErrorBody(schema: JSONSchema): JSONSchema {
  let out: JSONSchema = { ...schema };
  if (hasErrorShape(out)) {
    const props = { ...(out.properties as Record<string, unknown>) };
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
export function addDiscriminators(schema: JSONSchema): JSONSchema {
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
