/**
 * The `live` personality's framework behaviour: what the vendor's staging
 * deployment does that the documentation of the operation does not say.
 *
 * - Errors are wrapped as {"error": {...}} with `x-api-schema: json-error`
 *   (rendering, see personality.ts).
 * - Bad input is refused with the framework's own 400 codes:
 *   `invalid_json_body`, `missing_required_argument`, `invalid_argument`.
 * - The token-management operations exist (shapes from the vendor's Core API
 *   document): list and create under `/organizations/organization/api_tokens`,
 *   delete at `/api_tokens/api_token`; an organization is looked up by `id` or
 *   `sub_domain` (mutually exclusive).
 * - Every authenticated request counts against its token's `rate_limit` in a
 *   fixed window; over it, 429 rate_limit_reached with `total_permitted`.
 * - There is no provider-state endpoint: an organization and an admin token
 *   are created at start instead.
 */
import { isIP } from 'node:net';
import {
  API_TOKEN_NOT_FOUND,
  FRAMEWORK_BAD_INPUT,
  INTERNAL_SERVER_ERROR,
  invalidArgument,
  invalidJsonBody,
  missingRequiredArgument,
  ORGANIZATION_NOT_FOUND,
  permissionDenied,
  validationError,
  type MockError,
} from './errors.ts';
import { faultFlags, type FaultFlags } from './faults.ts';
import type { ExtraRoute } from './extra-route.ts';
import { generateId, nowSeconds, type Token, type TokenStore } from './store.ts';

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

export interface LiveOrganization {
  id: string;
  sub_domain: string;
  name: string;
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

const NO_FAULTS = faultFlags([]);

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

/** A JSON object body, or the framework's error for it. Empty means `{}`. */
function jsonObjectBody(raw: Buffer): Record<string, unknown> | MockError {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return FRAMEWORK_BAD_INPUT.notJson;
  }
  return isPlainObject(parsed) ? parsed : FRAMEWORK_BAD_INPUT.notObject;
}

const isError = (v: unknown): v is MockError => isPlainObject(v) && typeof v.status === 'number' && isPlainObject(v.body);

// ------------------------------------------------------------------ organizations

export class Organizations {
  private readonly byId = new Map<string, LiveOrganization>();
  private readonly bySubDomain = new Map<string, LiveOrganization>();

  add(sub_domain: string, name: string): LiveOrganization {
    const org = { id: generateId('org_'), sub_domain, name };
    this.byId.set(org.id, org);
    this.bySubDomain.set(sub_domain, org);
    return org;
  }

  /** The framework's lookup argument: exactly one of `id` and `sub_domain`. */
  lookup(arg: unknown, name = 'organization'): LiveOrganization | MockError {
    if (arg === undefined || arg === null) return missingRequiredArgument(name);
    if (!isPlainObject(arg)) return invalidArgument(name, "must be a lookup object: {\"id\": …} or {\"sub_domain\": …}");
    const { id, sub_domain } = arg;
    const hasId = id !== undefined && id !== null;
    const hasSub = sub_domain !== undefined && sub_domain !== null;
    if (hasId && hasSub) return invalidArgument(name, "'id' and 'sub_domain' are mutually exclusive; provide only one");
    if (!hasId && !hasSub) return missingRequiredArgument(`${name}.id or ${name}.sub_domain`);
    if (hasId && typeof id !== 'string') return invalidArgument(`${name}.id`, 'must be a string');
    if (hasSub && typeof sub_domain !== 'string') return invalidArgument(`${name}.sub_domain`, 'must be a string');
    const org = hasId ? this.byId.get(id as string) : this.bySubDomain.get(sub_domain as string);
    return org ?? ORGANIZATION_NOT_FOUND;
  }
}

// ------------------------------------------------------------------ routes

const NOT_YOUR_ORGANIZATION = permissionDenied('The authenticated identity may not manage API tokens of this organization');
const NOT_YOUR_TOKEN = permissionDenied('This API token belongs to another organization; the authenticated identity may not manage it');

/** An IP address or a CIDR network. */
function isNetwork(entry: string): boolean {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  if (slash === -1) return true;
  const bits = entry.slice(slash + 1);
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const stringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function positiveInteger(query: URLSearchParams, name: string, fallback: number, max: number): number | MockError {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) return invalidArgument(name, 'must be a positive integer');
  return Math.min(Number(raw), max);
}

export function liveRoutes(orgs: Organizations, tokenRateLimit: number): Map<string, Map<string, ExtraRoute>> {
  const list: ExtraRoute = {
    scopes: ['api_tokens', 'api_tokens:read'],
    handle({ store, caller, query }) {
      const hasId = query.has('organization[id]');
      const hasSub = query.has('organization[sub_domain]');
      const org = orgs.lookup(
        hasId || hasSub ? { id: query.get('organization[id]') ?? undefined, sub_domain: query.get('organization[sub_domain]') ?? undefined } : undefined,
      );
      if (isError(org)) return org;
      if (org.id !== caller.organization_id) return NOT_YOUR_ORGANIZATION;
      const page = positiveInteger(query, 'page', 1, Number.MAX_SAFE_INTEGER);
      if (typeof page !== 'number') return page;
      const perPage = positiveInteger(query, 'per_page', 30, 200);
      if (typeof perPage !== 'number') return perPage;
      const all = [...store.inOrganization(org.id)];
      const total = all.length;
      return {
        status: 200,
        json: {
          pagination: { current_page: page, total_pages: Math.max(1, Math.ceil(total / perPage)), total, per_page: perPage, large_set: false },
          api_tokens: all.slice((page - 1) * perPage, page * perPage).map((t) => t.view()),
        },
      };
    },
  };

  const create: ExtraRoute = {
    scopes: ['api_tokens'],
    handle({ store, caller, body }) {
      const args = jsonObjectBody(body);
      if (isError(args)) return args;
      const org = orgs.lookup(args.organization);
      if (isError(org)) return org;
      if (org.id !== caller.organization_id) return NOT_YOUR_ORGANIZATION;
      const props = args.properties;
      if (props === undefined || props === null) return missingRequiredArgument('properties');
      if (!isPlainObject(props)) return invalidArgument('properties', 'must be an object');
      const { name, authorized_ip_addresses = [], expires_at = null, scopes = [] } = props;
      if (name !== undefined && typeof name !== 'string') return invalidArgument('properties.name', 'must be a string');
      if (!stringArray(authorized_ip_addresses)) return invalidArgument('properties.authorized_ip_addresses', 'must be an array of strings');
      if (expires_at !== null && !Number.isInteger(expires_at)) return invalidArgument('properties.expires_at', 'must be an integer (Unix time)');
      if (!stringArray(scopes)) return invalidArgument('properties.scopes', 'must be an array of strings');
      const annotations = args.annotations ?? [];
      if (!Array.isArray(annotations) || !annotations.every((a) => isPlainObject(a) && typeof a.key === 'string' && (a.value === undefined || typeof a.value === 'string')))
        return invalidArgument('annotations', 'must be an array of {"key": string, "value": string}');

      const errors: string[] = [];
      if (typeof name !== 'string' || name.trim() === '') errors.push("Name can't be blank");
      const bad = authorized_ip_addresses.filter((a) => !isNetwork(a));
      if (bad.length) errors.push(`Authorized IP addresses are not valid IP addresses or networks: ${bad.slice(0, 5).join(', ')}`.slice(0, 300));
      if (typeof expires_at === 'number' && expires_at <= nowSeconds()) errors.push('Expires at must be in the future');
      if (errors.length) return validationError(errors);

      const token = store.create({
        name: name as string,
        organization_id: org.id,
        authorized_ip_addresses,
        expires_at: expires_at as number | null,
        rate_limit: tokenRateLimit,
        scopes,
      });
      return { status: 200, json: { api_token: { ...token.view(), secret: token.secret }, annotations } };
    },
  };

  const remove: ExtraRoute = {
    scopes: ['api_tokens'],
    handle({ store, caller, body, query }) {
      let id: string | MockError;
      if (body.length === 0 && query.has('api_token[id]')) id = query.get('api_token[id]')!;
      // The faults break the operation under test, never the token management.
      else id = judgeFrameworkLookup(body, NO_FAULTS);
      if (typeof id !== 'string') return id;
      const token = store.getById(id);
      if (token === undefined) return API_TOKEN_NOT_FOUND;
      if (token.organization_id !== caller.organization_id) return NOT_YOUR_TOKEN;
      store.delete(token);
      return { status: 200, json: { api_token: { id: token.id, name: token.name } } };
    },
  };

  return new Map([
    ['/organizations/organization/api_tokens', new Map([['GET', list], ['POST', create]])],
    ['/api_tokens/api_token', new Map([['DELETE', remove]])],
  ]);
}

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
