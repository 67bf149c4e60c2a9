/**
 * A personality is what differs between the documented API and a particular
 * server framework: how errors are enveloped, how bad input is refused, which
 * extra routes exist, whether provider states are served, and how rate limits
 * behave. Everything else (authentication order, tokens, faults) is shared.
 *
 * - `documented` (default): the operation exactly as documented; flat errors;
 *   bad input refused with 422 validation_error; the provider-state endpoint.
 * - `live`: the vendor's live framework as the staging deployment behaves
 *   (see live-personality.ts): wrapped errors with `x-api-schema: json-error`; 400
 *   `invalid_json_body` / `missing_required_argument` / `invalid_argument` for
 *   bad input; token list/create/delete; a real per-token rate limit; an
 *   organization and an admin token created at start; no provider states.
 */
import {
  API_TOKEN_NOT_FOUND,
  BAD_INPUT,
  DOCUMENTED_RENDERING,
  INTERNAL_SERVER_ERROR,
  JSON_CONTENT_TYPE,
  type ErrorRendering,
  type MockError,
} from './errors.ts';
import type { ExtraRoute } from './extra-route.ts';
import type { FaultFlags } from './faults.ts';
import { Organizations } from './live-organizations.ts';
import { createLiveAccount, FixedWindowRateLimiter, judgeFrameworkLookup, LIVE_DEFAULTS, type LiveAccount, type LiveOptions } from './live-personality.ts';
import { liveRoutes } from './live-token-routes.ts';
import type { Token, TokenStore } from './store.ts';

export type PersonalityName = 'documented' | 'live';
export const PERSONALITY_NAMES: readonly PersonalityName[] = ['documented', 'live'];

/** What one mock instance of a personality has of its own. */
export interface PersonalityInstance {
  /** Routes below the base path, keyed by path then method. Authentication is done by the server first. */
  routes: ReadonlyMap<string, ReadonlyMap<string, ExtraRoute>>;
  /** Whether the provider-state endpoint is served. */
  providerStates: boolean;
  /** Counts every authenticated request against its token's rate_limit; null: only tokens a state flags are limited. */
  rateLimiter: { exceeded(token: Token): boolean } | null;
  /** The organization and admin token created at start (live). */
  account?: LiveAccount;
}

export interface PersonalityContext {
  store: TokenStore;
  faults: Readonly<FaultFlags>;
  live: LiveOptions;
}

export interface Personality {
  readonly name: PersonalityName;
  /** How this personality renders errors, given the active faults. */
  errorRendering(faults: Readonly<FaultFlags>): ErrorRendering;
  /**
   * Judges the body of a regenerate request: the token id to look up, or the
   * error that refuses the body. `raw` is empty when no body was sent.
   */
  judgeLookupBody(raw: Buffer, faults: Readonly<FaultFlags>): string | MockError;
  /** Sets up one mock's routes, account and rate limiter. */
  instantiate(ctx: PersonalityContext): PersonalityInstance;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const NO_ROUTES: ReadonlyMap<string, ReadonlyMap<string, ExtraRoute>> = new Map();

/** The documented personality: flat errors, bad input refused with 422 validation_error. */
export const documented: Personality = Object.freeze({
  name: 'documented' as const,

  errorRendering(f: Readonly<FaultFlags>): ErrorRendering {
    return {
      envelope: f.wrappedErrors ? 'wrapped' : DOCUMENTED_RENDERING.envelope,
      contentType: f.errorTextContentType ? 'text/plain; charset=utf-8' : JSON_CONTENT_TYPE,
      omitDescription: f.errorMissingDescription,
      latin1: f.errorLatin1,
    };
  },

  judgeLookupBody(raw: Buffer, f: Readonly<FaultFlags>): string | MockError {
    if (raw.length === 0) return f.badInputNoBody500 ? INTERNAL_SERVER_ERROR : BAD_INPUT.noBody;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      // The parser's message quotes the body: never echoed.
      return f.badInputNotJson500 ? INTERNAL_SERVER_ERROR : BAD_INPUT.notJson;
    }
    if (!isPlainObject(parsed)) return BAD_INPUT.notObject;
    const token = parsed.api_token;
    if (token === undefined) return f.badInputEmptyObject404 ? API_TOKEN_NOT_FOUND : BAD_INPUT.tokenMissing;
    if (!isPlainObject(token)) {
      return f.badInputStringToken500 && typeof token === 'string' ? INTERNAL_SERVER_ERROR : BAD_INPUT.tokenNotObject;
    }
    const id = token.id;
    if (id === undefined) return f.badInputEmptyToken404 ? API_TOKEN_NOT_FOUND : BAD_INPUT.idMissing;
    if (typeof id !== 'string') {
      return f.badInputNumericIdCoerced && typeof id === 'number' ? String(id) : BAD_INPUT.idNotString;
    }
    return id;
  },

  instantiate(): PersonalityInstance {
    return { routes: NO_ROUTES, providerStates: true, rateLimiter: null };
  },
});

/** The vendor's live framework, as the staging deployment behaves (live-personality.ts). */
export const live: Personality = Object.freeze({
  name: 'live' as const,

  errorRendering(f: Readonly<FaultFlags>): ErrorRendering {
    return {
      envelope: 'wrapped',
      contentType: f.errorTextContentType ? 'text/plain; charset=utf-8' : JSON_CONTENT_TYPE,
      omitDescription: f.errorMissingDescription,
      latin1: f.errorLatin1,
    };
  },

  judgeLookupBody: judgeFrameworkLookup,

  instantiate({ store, live: options }: PersonalityContext): PersonalityInstance {
    const o: Required<LiveOptions> = { ...LIVE_DEFAULTS, ...stripUndefined(options) };
    for (const key of ['tokenRateLimit', 'adminRateLimit', 'rateLimitWindowMs'] as const) {
      if (!Number.isInteger(o[key]) || o[key] < 1) throw new Error(`live.${key} must be a positive integer, got ${JSON.stringify(o[key])}`);
    }
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(o.organizationSubDomain)) {
      throw new Error(`live.organizationSubDomain must be lower-case letters, digits and dashes, got ${JSON.stringify(o.organizationSubDomain)}`);
    }
    const orgs = new Organizations();
    return {
      routes: liveRoutes(orgs, o.tokenRateLimit),
      providerStates: false,
      rateLimiter: new FixedWindowRateLimiter(o.rateLimitWindowMs),
      account: createLiveAccount(store, orgs, o),
    };
  },
});

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const PERSONALITIES: Readonly<Record<PersonalityName, Personality>> = Object.freeze({ documented, live });
