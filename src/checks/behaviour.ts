/**
 * Checks of what a 200 means: the same token comes back, unchanged but for a
 * new secret. Pure functions over the parsed bodies.
 */
import { error, warning, type Finding } from '../model/finding.ts';
import { isObject } from '../model/json.ts';

/**
 * Lists that are sets of grants: their order carries no meaning, so a target
 * may return them in another order than it stored them.
 */
const UNORDERED_FIELDS = new Set(['scopes', 'authorized_ip_addresses']);

/** Equality for a field, ignoring order where the field is a set. */
function sameValue(field: string, a: unknown, b: unknown): boolean {
  if (UNORDERED_FIELDS.has(field) && Array.isArray(a) && Array.isArray(b)) {
    const key = (v: unknown) => JSON.stringify(v);
    return a.length === b.length && jsonEqual([...a].map(key).sort(), [...b].map(key).sort());
  }
  return jsonEqual(a, b);
}

/** Fields that regeneration must leave as the state stored them. */
export const UNCHANGED_FIELDS = ['name', 'organization_id', 'scopes', 'authorized_ip_addresses', 'expires_at', 'rate_limit'] as const;


export function tokenOf(body: unknown): Record<string, unknown> | undefined {
  return isObject(body) && isObject(body.api_token) ? body.api_token : undefined;
}

export function checkTokenId(body: unknown, requestedId: string, exchange: string): Finding[] {
  const id = tokenOf(body)?.id;
  if (id === requestedId) return [];
  return [error('token_id', `api_token.id must be the requested id ${JSON.stringify(requestedId)}, received ${JSON.stringify(id ?? null)}`, { expected: requestedId, actual: id ?? null, instancePath: '/api_token/id', exchange })];
}

/** Deep equality for JSON values, order-sensitive for arrays (scopes and addresses are lists as stored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

export function checkFieldsUnchanged(body: unknown, stored: Record<string, unknown>, exchange: string): Finding[] {
  const token = tokenOf(body);
  if (!token) return [];
  const out: Finding[] = [];
  for (const field of UNCHANGED_FIELDS) {
    // Only fields the state told us about can be compared; a field the state
    // omitted has no "before", which the report says.
    if (!(field in stored)) {
      out.push(warning('fields_unchanged', `the state's api_token has no ${field}, so whether regeneration kept it cannot be checked (a state should send the token as stored)`, { instancePath: `/api_token/${field}`, exchange }));
      continue;
    }
    if (!(field in token)) {
      // A serializer may leave out a null field; absent and null say the same.
      if (stored[field] === null) continue;
      out.push(error('fields_unchanged', `api_token.${field} is missing from the answer; it was ${JSON.stringify(stored[field])} before regeneration`, { expected: stored[field], actual: 'absent', instancePath: `/api_token/${field}`, exchange }));
    } else if (!sameValue(field, token[field], stored[field])) {
      out.push(error('fields_unchanged', `api_token.${field} changed on regeneration: it was ${JSON.stringify(stored[field])}, now ${JSON.stringify(token[field])}`, { expected: stored[field], actual: token[field], instancePath: `/api_token/${field}`, exchange }));
    }
  }
  return out;
}

/**
 * The returned secret must be a non-empty string that differs from every
 * earlier secret of the token. Messages never contain the secrets themselves.
 */
export function checkNewSecret(body: unknown, earlier: { label: string; secret: string | undefined }[], exchange: string): Finding[] {
  const secret = tokenOf(body)?.secret;
  if (typeof secret !== 'string' || secret.length === 0) {
    return [error('secret_renewed', `api_token.secret must be a new non-empty string, received ${secret === undefined ? 'no secret' : secret === '' ? 'an empty string' : JSON.stringify(secret)}`, { expected: 'non-empty string', actual: secret === undefined ? null : typeof secret === 'string' ? '' : secret, instancePath: '/api_token/secret', exchange })];
  }
  const out: Finding[] = [];
  for (const e of earlier) {
    if (e.secret !== undefined && e.secret === secret)
      out.push(error('secret_renewed', `api_token.secret is the same as ${e.label}; regeneration must issue a different secret`, { expected: `a secret different from ${e.label}`, actual: `${e.label}, unchanged`, instancePath: '/api_token/secret', exchange }));
  }
  return out;
}
