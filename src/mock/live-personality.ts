/**
 * The `live` personality's framework behaviour: what the vendor's staging
 * deployment does that the documentation of the operation does not say.
 *
 * - Errors are wrapped as {"error": {...}} with `x-api-schema: json-error`
 *   (rendering, see personality.ts).
 * - Bad input is refused with the framework's own 400 codes:
 *   `invalid_json_body`, `missing_required_argument`, `invalid_argument`.
 * - The token-management operations exist (live-token-routes.ts); an
 *   organization is looked up by `id` or `sub_domain`, mutually exclusive
 *   (live-organizations.ts).
 * - Every authenticated request counts against its token's `rate_limit` in a
 *   fixed window; over it, 429 rate_limit_reached with `total_permitted`.
 * - There is no provider-state endpoint: an organization and an admin token
 *   are created at start instead.
 */
import { API_TOKEN_NOT_FOUND, FRAMEWORK_BAD_INPUT, INTERNAL_SERVER_ERROR, type MockError } from './errors.ts';
import type { FaultFlags } from './faults.ts';
import type { LiveOrganization, Organizations } from './live-organizations.ts';
import type { Token, TokenStore } from './store.ts';

export type { LiveOrganization } from './live-organizations.ts';

export interface LiveOptions {
  /** Sub-domain of the organization created at start (default `conformance-rehearsal`). */
  organizationSubDomain?: string;
  /** `rate_limit` of tokens created through the API, per window (default 60). */
  tokenRateLimit?: number;
  /** `rate_limit` of the admin tokens created at start, per window (default 1200). */
  adminRateLimit?: number;
  /** Length of the rate-limit window in milliseconds (default 60 000). */
  rateLimitWindowMs?: number;
}

/** What the live personality creates at start, to be handed to the suite. */
export interface LiveAccount {
  organization: LiveOrganization;
  /** Secret of the organization's admin token (scope api_tokens): KATAPULT_API_TOKEN. */
  adminToken: string;
  adminTokenId: string;
  /** A second organization with its own admin token, that the first one may not manage. */
  other: { organization: LiveOrganization; adminToken: string };
}

export const LIVE_DEFAULTS = Object.freeze({
  organizationSubDomain: 'conformance-rehearsal',
  tokenRateLimit: 60,
  adminRateLimit: 1200,
  rateLimitWindowMs: 60_000,
});

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

// ------------------------------------------------------------------ rate limit

/** A fixed window per token: `rate_limit` requests per window, then 429 until the window ends. */
export class FixedWindowRateLimiter {
  private readonly windows = new WeakMap<Token, { start: number; count: number }>();

  constructor(readonly windowMs: number) {}

  /** Counts one request of `token`; true when that request is over the token's rate_limit. */
  exceeded(token: Token, now: number = Date.now()): boolean {
    let w = this.windows.get(token);
    if (w === undefined || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(token, w);
    }
    w.count++;
    return w.count > token.rate_limit;
  }
}

// ------------------------------------------------------------------ bad input

/** The regenerate (and delete) body, judged as the framework does: the id, or a 400 with its own code. */
export function judgeFrameworkLookup(raw: Buffer, f: Readonly<FaultFlags>): string | MockError {
  if (raw.length === 0) return f.badInputNoBody500 ? INTERNAL_SERVER_ERROR : FRAMEWORK_BAD_INPUT.noBody;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return f.badInputNotJson500 ? INTERNAL_SERVER_ERROR : FRAMEWORK_BAD_INPUT.notJson;
  }
  if (!isPlainObject(parsed)) return FRAMEWORK_BAD_INPUT.notObject;
  const token = parsed.api_token;
  if (token === undefined || token === null) return f.badInputEmptyObject404 ? API_TOKEN_NOT_FOUND : FRAMEWORK_BAD_INPUT.tokenMissing;
  if (!isPlainObject(token)) {
    return f.badInputStringToken500 && typeof token === 'string' ? INTERNAL_SERVER_ERROR : FRAMEWORK_BAD_INPUT.tokenNotObject;
  }
  const id = token.id;
  if (id === undefined || id === null) return f.badInputEmptyToken404 ? API_TOKEN_NOT_FOUND : FRAMEWORK_BAD_INPUT.idMissing;
  if (typeof id !== 'string') {
    return f.badInputNumericIdCoerced && typeof id === 'number' ? String(id) : FRAMEWORK_BAD_INPUT.idNotString;
  }
  return id;
}

// ------------------------------------------------------------------ the account created at start

/** Creates the organizations and admin tokens of a live-personality mock. */
export function createLiveAccount(store: TokenStore, orgs: Organizations, options: Required<LiveOptions>): LiveAccount {
  const admin = (org: LiveOrganization) =>
    store.create({
      name: `Rehearsal admin token of ${org.sub_domain}`,
      organization_id: org.id,
      authorized_ip_addresses: [],
      expires_at: null,
      rate_limit: options.adminRateLimit,
      scopes: ['api_tokens'],
    });
  const organization = orgs.add(options.organizationSubDomain, 'Conformance rehearsal');
  const adminToken = admin(organization);
  const other = orgs.add(`${options.organizationSubDomain}-other`, 'Another organization');
  return {
    organization,
    adminToken: adminToken.secret,
    adminTokenId: adminToken.id,
    other: { organization: other, adminToken: admin(other).secret },
  };
}
