/**
 * The authentication-layer sweep's catalogue, generated from the documents:
 * for every operation whose 400 documents the authenticator's
 * `missing_api_token` (except those with their own descriptor, whose
 * catalogue holds the same cases), four scenarios:
 *
 *   400 missing_api_token    no Authorization
 *   400 missing_api_token    a non-Bearer scheme
 *   403 invalid_api_token    an unknown bearer
 *   403 scope_not_granted    a bearer whose token holds none of the operation's scopes
 *                            (only for operations that document a scope)
 *
 * Ids are `auth-<operation slug>-<case>`: stable as long as the operationId is.
 */
import type { StateName } from '../protocol/provider-states.ts';
import type { AuthSpec, BodySpec, SingleRequestScenario } from '../operations/types.ts';
import type { AuthLayerOperation } from './operations.ts';
import { harmlessRequest, type HarmlessRequest } from './placeholders.ts';

export type SweepCase = 'no-authorization' | 'non-bearer-scheme' | 'unknown-bearer' | 'scope-not-granted';

/** The detail rule of the scope case (src/sweep/descriptors.ts defines it per operation). */
export const SCOPES_RULE = 'scopes_name_a_documented_scope';

/** A scenario of the sweep: an engine scenario (kind auth_layer) with what the sweep knows of it. */
export interface AuthLayerScenario extends SingleRequestScenario {
  id: string;
  title: string;
  kind: 'auth_layer';
  case: SweepCase;
  operation: { id: string; method: string; path: string };
  /** The documented status the scenario is reported under. */
  status: 400 | 403;
  variant: 'missing_api_token' | 'invalid_api_token' | 'scope_not_granted';
  /** The state whose bearer the scope case uses; null for the others (and a scope case no token fits). */
  state: StateName | null;
  /** Scope case: the scopes the operation documents (plain form), one of which detail.scopes must name. */
  scopes?: string[];
  oauth2Prefix?: string;
  /** Why the scenario cannot run anywhere (no arranged token fits): it is skipped with this reason. */
  skip?: string;
  /** What is sent, whatever the credentials: placeholders only. */
  request: HarmlessRequest;
  /** POST, PUT, PATCH, DELETE: a 2xx to any sweep request is a critical failure. */
  mutating: boolean;
}

export const MUTATING_METHODS: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The states whose bearer can stand for "a token without this operation's
 * scopes", in order of preference, with the scopes the protocol lets the suite
 * assume the token may hold:
 * - `token_can_regenerate`'s bearer can regenerate secrets: it holds
 *   `api_tokens`, which operations outside token management do not accept;
 * - `scope_not_granted`'s bearer lacks `api_tokens`, and the bundled mock and
 *   live mode give it `api_tokens:read`: it fits an operation that accepts
 *   `api_tokens` alone.
 * A state answer that shows the bearer's own token (its `api_token` when the
 * bearer is its `secret`) refines this at run time (src/sweep/run.ts).
 */
export const SCOPE_DONORS: readonly { state: StateName; mayHold: readonly string[] }[] = [
  { state: 'token_can_regenerate', mayHold: ['api_tokens'] },
  { state: 'scope_not_granted', mayHold: ['api_tokens:read'] },
];

/** The donor state for an operation's scopes, or the reason none fits. */
export function scopeDonor(scopes: readonly string[]): { state: StateName } | { skip: string } {
  for (const donor of SCOPE_DONORS) {
    if (!donor.mayHold.some((s) => scopes.includes(s))) return { state: donor.state };
  }
  const held = SCOPE_DONORS.map((d) => `${d.state}'s token may hold ${d.mayHold.join(', ')}`).join('; ');
  return {
    skip: `no arranged token is known to lack every scope this operation accepts (${scopes.join(', ')}): ${held}, and the provider-state protocol has no state for a token without them`,
  };
}

export interface SweepOptions {
  /** Operation ids left out: those with their own descriptor. */
  exclude?: ReadonlySet<string> | readonly string[];
}

/** The operations the sweep covers: every one documenting the authenticator's 400, but the excluded. */
export function sweptOperations(ops: readonly AuthLayerOperation[], options: SweepOptions = {}): AuthLayerOperation[] {
  const exclude = new Set(options.exclude ?? []);
  return ops.filter((op) => op.authenticator400 && !exclude.has(op.id));
}

export function sweepCatalogue(ops: readonly AuthLayerOperation[], options: SweepOptions = {}): AuthLayerScenario[] {
  const out: AuthLayerScenario[] = [];
  const slugs = new Set<string>();
  for (const op of sweptOperations(ops, options)) {
    let slug = op.slug;
    for (let i = 2; slugs.has(slug); i++) slug = `${op.slug}-${i}`;
    slugs.add(slug);
    const request = harmlessRequest(op);
    const base = {
      kind: 'auth_layer' as const,
      operation: { id: op.id, method: op.method, path: op.path },
      request,
      mutating: MUTATING_METHODS.includes(op.method),
    };
    const body: BodySpec = request.body === undefined ? { kind: 'none' } : { kind: 'json', value: request.body };
    const expect = (status: 400 | 403, variant: AuthLayerScenario['variant'], auth: AuthSpec) => ({ status, variant, auth, body, expectStatus: [status], expectCode: variant });
    const on = `${op.method} ${op.path}`;
    out.push(
      { ...base, id: `auth-${slug}-400-no-authorization`, case: 'no-authorization', title: `${on}: no Authorization header is refused with 400 missing_api_token`, ...expect(400, 'missing_api_token', { kind: 'none' }), state: null },
      { ...base, id: `auth-${slug}-400-non-bearer-scheme`, case: 'non-bearer-scheme', title: `${on}: a non-Bearer scheme (Basic) is refused with 400 missing_api_token`, ...expect(400, 'missing_api_token', { kind: 'basic' }), state: null },
      { ...base, id: `auth-${slug}-403-invalid_api_token-unknown-bearer`, case: 'unknown-bearer', title: `${on}: an unknown bearer secret is refused with 403 invalid_api_token`, ...expect(403, 'invalid_api_token', { kind: 'unknown-bearer' }), state: null },
    );
    if (op.scopes.length > 0) {
      const donor = scopeDonor(op.scopes);
      out.push({
        ...base,
        id: `auth-${slug}-403-scope_not_granted`,
        case: 'scope-not-granted',
        title: `${on}: a token without ${op.scopes.length === 1 ? `the ${op.scopes[0]} scope` : `any of the scopes ${op.scopes.join(', ')}`} gets 403 scope_not_granted naming it`,
        ...expect(403, 'scope_not_granted', { kind: 'state-bearer' }),
        detailRules: [SCOPES_RULE],
        state: 'state' in donor ? donor.state : null,
        scopes: [...op.scopes],
        oauth2Prefix: op.oauth2Prefix,
        ...('skip' in donor ? { skip: donor.skip } : {}),
      });
    }
  }
  return out;
}
