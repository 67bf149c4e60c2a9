/**
 * Harmless requests for the authentication-layer sweep. Every sweep request
 * must be refused by authentication before anything else; should a target let
 * one through anyway, what it carries must not be able to touch anything: only
 * what the schemas REQUIRE is sent, every string is a placeholder that names no
 * object (it starts with "conformance-placeholder-", which no vendor id does),
 * and nothing comes from the configuration, a state answer or an earlier
 * response. Pure and deterministic, so the reports and ids are stable.
 */
import type { JSONSchema } from '../schema/json-schema.ts';
import { isObject } from '../model/json.ts';
import type { AuthLayerOperation } from './operations.ts';

export const PLACEHOLDER = 'conformance-placeholder-does-not-exist';
const MAX_DEPTH = 8;

/** Picks the first branch of a combinator, skipping `null` branches. */
function firstBranch(list: unknown): JSONSchema | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list.find((b) => isObject(b) && b.type !== 'null') ?? list[0]) as JSONSchema | undefined;
}

function typeOf(schema: JSONSchema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x) => x !== 'null') as string | undefined;
  if (isObject(schema.properties) || Array.isArray(schema.required)) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function placeholderString(schema: JSONSchema): string {
  switch (schema.format) {
    case 'date-time':
      return '2000-01-01T00:00:00Z';
    case 'date':
      return '2000-01-01';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    case 'email':
      return 'conformance-placeholder@example.invalid';
    case 'ipv4':
      return '192.0.2.1';
    case 'ipv6':
      return '2001:db8::1';
    case 'uri':
    case 'url':
      return 'https://example.invalid/conformance-placeholder';
    case 'hostname':
      return 'conformance-placeholder.example.invalid';
  }
  let s = PLACEHOLDER;
  if (typeof schema.maxLength === 'number' && s.length > schema.maxLength) s = s.slice(0, Math.max(schema.maxLength, 0));
  if (typeof schema.minLength === 'number' && s.length < schema.minLength) s = s.padEnd(schema.minLength, '-');
  return s;
}

function placeholderNumber(schema: JSONSchema, integer: boolean): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + (integer ? 1 : 0.5) : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - (integer ? 1 : 0.5) : undefined;
  let n = min ?? 0;
  if (max !== undefined && n > max) n = max;
  return integer ? Math.ceil(n) : n;
}

/**
 * A value the schema accepts, as small as it allows: required properties
 * only, the fewest items, a placeholder for every string. `root` resolves
 * `#/definitions/...` references of a derived schema.
 */
export function placeholderValue(schema: unknown, root: JSONSchema = isObject(schema) ? (schema as JSONSchema) : {}, depth = 0): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return PLACEHOLDER;
  const s = schema as JSONSchema;
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#/definitions/')) {
    const name = s.$ref.slice('#/definitions/'.length).replace(/~1/g, '/').replace(/~0/g, '~');
    const defs = isObject(root.definitions) ? root.definitions : {};
    return placeholderValue(defs[name], root, depth + 1);
  }
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum.find((v) => v !== null) ?? s.enum[0];
  if (Array.isArray(s.allOf) && s.allOf.length > 0) {
    // Merge what the branches require; good enough for lookups and parameter objects.
    const merged: Record<string, unknown> = {};
    let other: unknown;
    for (const branch of s.allOf) {
      const v = placeholderValue(branch, root, depth + 1);
      if (isObject(v)) Object.assign(merged, v);
      else other ??= v;
    }
    const own = typeOf(s) === 'object' ? placeholderObject(s, root, depth) : {};
    return Object.keys(merged).length > 0 || other === undefined ? { ...merged, ...own } : other;
  }
  const branch = firstBranch(s.oneOf) ?? firstBranch(s.anyOf);
  if (branch !== undefined && typeOf(s) === undefined) return placeholderValue(branch, root, depth + 1);
  switch (typeOf(s)) {
    case 'object':
      return placeholderObject(s, root, depth);
    case 'array': {
      const n = typeof s.minItems === 'number' ? s.minItems : 0;
      return Array.from({ length: Math.min(n, 3) }, () => placeholderValue(s.items, root, depth + 1));
    }
    case 'integer':
      return placeholderNumber(s, true);
    case 'number':
      return placeholderNumber(s, false);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return placeholderString(s);
  }
}

function placeholderObject(s: JSONSchema, root: JSONSchema, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = isObject(s.properties) ? s.properties : {};
  for (const name of Array.isArray(s.required) ? (s.required as string[]) : []) {
    out[name] = placeholderValue(props[name] ?? {}, root, depth + 1);
  }
  return out;
}

/** A query parameter's placeholder as text (arrays as one item, objects as JSON). */
function queryText(value: unknown): string {
  if (Array.isArray(value)) return value.length > 0 ? queryText(value[0]) : PLACEHOLDER;
  if (isObject(value)) return JSON.stringify(value);
  return String(value);
}

export interface HarmlessRequest {
  /** Path and query, relative to BASE_URL, without a leading slash ("virtual_machines/virtual_machine?x=..."). */
  path: string;
  /** The JSON body, or undefined when the operation takes none. */
  body: unknown;
}

/** The one request the sweep sends to an operation, whatever the credentials. */
export function harmlessRequest(op: AuthLayerOperation): HarmlessRequest {
  const params = new URLSearchParams();
  for (const p of op.query) if (p.required) params.append(p.name, queryText(placeholderValue(p.schema)));
  const query = params.toString();
  const path = op.path.replace(/^\/+/, '').replace(/\{([^}]+)\}/g, () => encodeURIComponent(PLACEHOLDER));
  return {
    path: query ? `${path}?${query}` : path,
    body: op.requestSchema ? placeholderValue(op.requestSchema) : undefined,
  };
}
