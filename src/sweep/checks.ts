/**
 * The sweep's own checks, on top of the checks every response goes through
 * (src/checks/response.ts): a 2xx to a mutating request is critical, and a
 * 403 scope_not_granted must name one of the operation's documented scopes.
 */
import { error, type Finding } from '../model/finding.ts';
import { isObject } from '../model/json.ts';
import type { AuthLayerScenario } from './catalogue.ts';

const WHO: Record<AuthLayerScenario['case'], string> = {
  'no-authorization': 'an unauthenticated',
  'non-bearer-scheme': 'a non-Bearer (unauthenticated)',
  'unknown-bearer': 'an unknown bearer\'s',
  'scope-not-granted': 'a scope-less token\'s',
};

/**
 * Any 2xx to a sweep request means the layer let it through; on POST, PUT,
 * PATCH or DELETE that may have changed something, so it is critical.
 */
export function checkNotLetThrough(s: AuthLayerScenario, status: number | undefined, exchange: string): Finding[] {
  if (status === undefined || status < 200 || status > 299 || !s.mutating) return [];
  return [
    error('auth_layer_let_through', `CRITICAL: the authentication layer let ${WHO[s.case]} ${s.operation.method} through: ${s.operation.method} ${s.operation.path} answered ${status} instead of ${s.status} ${s.variant}`, {
      expected: `${s.status} ${s.variant}`,
      actual: status,
      exchange,
      critical: true,
    }),
  ];
}

/** detail.scopes of a 403 scope_not_granted names a scope the operation documents, plain or in its OAuth2 form. */
export function checkScopesNamed(s: AuthLayerScenario, errorBody: unknown, exchange: string): Finding[] {
  if (s.case !== 'scope-not-granted' || !isObject(errorBody) || errorBody.code !== 'scope_not_granted') return [];
  const scopes = isObject(errorBody.detail) ? errorBody.detail.scopes : undefined;
  const documented = s.scopes ?? [];
  const prefix = s.oauth2Prefix ?? '';
  const ok = Array.isArray(scopes) && scopes.some((x) => typeof x === 'string' && documented.some((d) => x === d || x === `${prefix}${d}`));
  if (ok) return [];
  return [
    error('detail_scopes', `detail.scopes must name a scope ${s.operation.method} ${s.operation.path} documents (${documented.join(', ')}, or the OAuth2 form ${prefix}…), received ${JSON.stringify(scopes ?? null)}`, {
      instancePath: '/detail/scopes',
      expected: documented,
      actual: scopes ?? null,
      exchange,
    }),
  ];
}

/** The scopes a state answer shows its bearer to hold: only when the bearer is the answered token's own secret. */
export function revealedScopes(state: { bearer: string; secret?: string; api_token: Record<string, unknown> } | null): string[] | undefined {
  if (!state || state.secret === undefined || state.bearer !== state.secret) return undefined;
  const scopes = state.api_token.scopes;
  return Array.isArray(scopes) ? scopes.filter((x): x is string => typeof x === 'string') : undefined;
}

/** Why the arranged token cannot stand for "none of the operation's scopes", if its own scopes show it holds one. */
export function scopeMismatch(s: AuthLayerScenario, held: string[] | undefined): string | undefined {
  if (s.case !== 'scope-not-granted' || !held) return undefined;
  const prefix = s.oauth2Prefix ?? '';
  const plain = held.map((x) => (prefix && x.startsWith(prefix) ? x.slice(prefix.length) : x));
  const overlap = (s.scopes ?? []).filter((x) => plain.includes(x));
  if (overlap.length === 0) return undefined;
  return `the token arranged by "${s.state}" holds ${overlap.join(', ')}, which ${s.operation.method} ${s.operation.path} accepts, so it cannot show the operation refusing a token without its scopes`;
}
