/**
 * A personality is what differs between the documented API and a particular
 * server framework: how errors are enveloped and how bad input is refused.
 * Everything else (authentication order, tokens, states) is shared.
 *
 * Only `documented` exists now. A later `live` personality (the vendor's
 * framework) would:
 *   - render errors with `{ envelope: 'wrapped', ... }` (body {"error": {...}},
 *     header `x-api-schema: json-error`; see `renderError` in errors.ts),
 *   - refuse bad input with 400 `invalid_argument` / `missing_required_argument`
 *     / `invalid_json_body` in its own `judgeLookupBody`,
 *   - add routes (token list/create/delete) through `extraRoutes`.
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
import type { FaultFlags } from './faults.ts';
import type { Token, TokenStore } from './store.ts';

export type PersonalityName = 'documented';
export const PERSONALITY_NAMES: readonly PersonalityName[] = ['documented'];

/** What a route handler of a personality gets: the store and an authenticated caller. */
export interface RouteContext {
  store: TokenStore;
  caller: Token;
  body: Buffer;
}

/** A successful answer of a personality's extra route (errors are MockErrors). */
export interface RouteAnswer {
  status: number;
  json: object;
}

export type ExtraRoute = (ctx: RouteContext) => RouteAnswer | MockError;

export interface Personality {
  readonly name: PersonalityName;
  /** How this personality renders errors, given the active faults. */
  errorRendering(faults: Readonly<FaultFlags>): ErrorRendering;
  /**
   * Judges the body of a regenerate request: the token id to look up, or the
   * error that refuses the body. `raw` is empty when no body was sent.
   */
  judgeLookupBody(raw: Buffer, faults: Readonly<FaultFlags>): string | MockError;
  /**
   * Routes this personality adds below the base path (e.g. `live`: token
   * list/create/delete), keyed by path then method. Authentication is done by
   * the server before the handler runs. None for `documented`.
   */
  readonly extraRoutes: ReadonlyMap<string, ReadonlyMap<string, ExtraRoute>>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The documented personality: flat errors, bad input refused with 422 validation_error. */
export const documented: Personality = Object.freeze({
  name: 'documented' as const,
  extraRoutes: new Map<string, ReadonlyMap<string, ExtraRoute>>(),

  errorRendering(f: Readonly<FaultFlags>): ErrorRendering {
    return {
      envelope: f.wrappedErrors ? 'wrapped' : DOCUMENTED_RENDERING.envelope,
      contentType: f.errorTextContentType ? 'text/plain; charset=utf-8' : JSON_CONTENT_TYPE,
      omitDescription: f.errorMissingDescription,
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
});

export const PERSONALITIES: Readonly<Record<PersonalityName, Personality>> = Object.freeze({ documented });
