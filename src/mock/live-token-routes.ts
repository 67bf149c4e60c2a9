/**
 * The token-management operations of the `live` personality (shapes from the
 * vendor's Core API document): list and create under
 * `/organizations/organization/api_tokens`, delete at `/api_tokens/api_token`.
 * The server authenticates the caller first (authenticate.ts, with each
 * route's scopes); bad input gets the framework's own 400 codes.
 */
import { isIP } from 'node:net';
import {
  API_TOKEN_NOT_FOUND,
  FRAMEWORK_BAD_INPUT,
  invalidArgument,
  missingRequiredArgument,
  permissionDenied,
  validationError,
  type MockError,
} from './errors.ts';
import type { ExtraRoute } from './extra-route.ts';
import { faultFlags } from './faults.ts';
import type { Organizations } from './live-organizations.ts';
import { judgeFrameworkLookup } from './live-personality.ts';
import { nowSeconds } from './store.ts';

const NO_FAULTS = faultFlags([]);

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

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
