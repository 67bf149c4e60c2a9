/**
 * The authentication layer of every operation of an OpenAPI document, read
 * from the document itself: method, path, query parameters, the derived
 * request-body schema, the documented 400 / 403 and their codes, and the
 * scopes the operation requires. Pure: the same document gives the same list,
 * in document order, so the sweep's scenario ids are stable.
 *
 * Where scopes live in the vendor's document: each operation's `security`
 * requirements, `{"Authenticator": ["api_tokens", ...]}` in the plain form and
 * `{"OAuth2": ["api.katapult.io/core/v1/api_tokens", ...]}` with the prefix
 * that `components.securitySchemes.OAuth2["x-scope-prefix"]` names. An
 * operation without its own `security` inherits the document's, which lists
 * no scope: it requires none.
 */
import type { OpenAPIV3 } from 'openapi-types';
import { deriveDocument, type DerivedOperation } from '../schema/derive.ts';
import type { JSONSchema } from '../schema/json-schema.ts';
import { isObject } from '../model/json.ts';

/** The code of the authenticator's 400: an operation documenting it has the authentication layer the sweep checks. */
export const MISSING_API_TOKEN = 'missing_api_token';
/** The vendor's shared response component for that 400. */
export const AUTHENTICATOR_400 = 'APIAuthenticator400Response';
/** The OAuth2 form of a scope is this prefix and the plain scope (the vendor's x-scope-prefix, when the document names none). */
export const DEFAULT_OAUTH2_PREFIX = 'api.katapult.io/core/v1/';

export interface QueryParameter {
  name: string;
  required: boolean;
  /** The parameter's schema as the document writes it (OpenAPI 3.0; `$ref`s resolved at the top). */
  schema: JSONSchema;
}

export interface AuthLayerOperation {
  /** The document's operationId (or "<method> <path>"). */
  id: string;
  /** Upper case: GET, POST, PUT, PATCH, DELETE... */
  method: string;
  /** The document's path, relative to its server (e.g. "/virtual_machines/virtual_machine"). */
  path: string;
  /** File-name-safe and unique within the document (the derived schemas' slug). */
  slug: string;
  /** The document it comes from, as shown in reports ("specs/<file>"). */
  document: string;
  /** Documented numeric statuses, ascending. */
  statuses: number[];
  /** The 400 documents `missing_api_token` (alone or next to operation-specific codes). */
  authenticator400: boolean;
  /** The 400 is the vendor's shared `APIAuthenticator400Response` component. */
  authenticator400Component: boolean;
  /** The codes of the documented 403 (its oneOf variants), in document order. */
  codes403: string[];
  /** Scopes the operation accepts, plain form ("api_tokens"); empty: it documents none. */
  scopes: string[];
  /** The OAuth2 form's prefix ("api.katapult.io/core/v1/"). */
  oauth2Prefix: string;
  query: QueryParameter[];
  /** The derived (draft-07, `$ref`s inlined) request-body schema, or null when the operation takes no JSON body. */
  requestSchema: JSONSchema | null;
}

type Json = Record<string, unknown>;

/** Resolves a local "#/..." reference; undefined when it does not resolve. */
function resolveRef(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function deref(doc: Json, node: unknown): unknown {
  for (let i = 0; i < 20 && isObject(node) && typeof node.$ref === 'string'; i++) node = resolveRef(doc, node.$ref);
  return node;
}

/** The plain scopes of an operation's security requirements (Authenticator's, else OAuth2's without the prefix). */
export function scopesOf(security: unknown, prefix: string): string[] {
  if (!Array.isArray(security)) return [];
  const plain = new Set<string>();
  const fromOAuth2 = new Set<string>();
  for (const requirement of security) {
    if (!isObject(requirement)) continue;
    for (const [scheme, list] of Object.entries(requirement)) {
      if (!Array.isArray(list)) continue;
      for (const s of list) {
        if (typeof s !== 'string' || s === '') continue;
        if (s.startsWith(prefix)) fromOAuth2.add(s.slice(prefix.length));
        else if (scheme !== 'OAuth2') plain.add(s);
      }
    }
  }
  return [...(plain.size > 0 ? plain : fromOAuth2)];
}

function oauth2PrefixOf(doc: Json): string {
  const schemes = isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  for (const scheme of Object.values(schemes)) {
    if (isObject(scheme) && scheme.type === 'oauth2' && typeof scheme['x-scope-prefix'] === 'string') return scheme['x-scope-prefix'];
  }
  return DEFAULT_OAUTH2_PREFIX;
}

function queryParameters(doc: Json, pathItem: Json, op: Json): QueryParameter[] {
  const byName = new Map<string, QueryParameter>();
  // Operation-level parameters override path-level ones of the same name and location.
  for (const list of [pathItem.parameters, op.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const p = deref(doc, raw);
      if (!isObject(p) || p.in !== 'query' || typeof p.name !== 'string') continue;
      const schema = deref(doc, p.schema);
      byName.set(p.name, { name: p.name, required: p.required === true, schema: isObject(schema) ? (schema as JSONSchema) : {} });
    }
  }
  return [...byName.values()];
}

const numericStatuses = (derived: DerivedOperation) =>
  Object.keys(derived.responses)
    .filter((s) => /^\d{3}$/.test(s))
    .map(Number)
    .sort((a, b) => a - b);

/**
 * Every operation of the document with what the sweep needs of it. Throws the
 * deriver's DerivationError for a document it cannot derive (the suite's
 * preflight has reported that already).
 */
export function readAuthLayerOperations(doc: OpenAPIV3.Document, source: string): AuthLayerOperation[] {
  const raw = doc as unknown as Json;
  const prefix = oauth2PrefixOf(raw);
  const derived = deriveDocument(doc, { source });
  const paths = isObject(raw.paths) ? raw.paths : {};
  return derived.map((d) => {
    const item = deref(raw, paths[d.path]);
    const pathItem = isObject(item) ? item : {};
    const op = isObject(pathItem[d.method]) ? (pathItem[d.method] as Json) : {};
    const response400 = isObject(op.responses) ? op.responses['400'] : undefined;
    const security = op.security !== undefined ? op.security : raw.security;
    return {
      id: d.operationId,
      method: d.method.toUpperCase(),
      path: d.path,
      slug: d.slug,
      document: source,
      statuses: numericStatuses(d),
      authenticator400: (d.responses['400']?.codes ?? []).includes(MISSING_API_TOKEN),
      authenticator400Component: isObject(response400) && response400.$ref === `#/components/responses/${AUTHENTICATOR_400}`,
      codes403: d.responses['403']?.codes ?? [],
      scopes: scopesOf(security, prefix),
      oauth2Prefix: prefix,
      query: queryParameters(raw, pathItem, op),
      requestSchema: d.request ?? null,
    };
  });
}
