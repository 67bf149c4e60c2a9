/**
 * A personality's extra route (the live framework's token list, create and
 * delete): what its handler gets and answers. Apart from personality.ts so
 * that a personality's own module can define routes without importing the
 * registry that imports it.
 */
import type { MockError } from './errors.ts';
import type { Token, TokenStore } from './store.ts';

/** What a route handler of a personality gets: the store and an authenticated caller. */
export interface RouteContext {
  store: TokenStore;
  caller: Token;
  body: Buffer;
  query: URLSearchParams;
}

/** A successful answer of a personality's extra route (errors are MockErrors). */
export interface RouteAnswer {
  status: number;
  json: object;
}

export interface ExtraRoute {
  /** Scopes any one of which admits the caller (their OAuth2 forms too); others get 403 scope_not_granted. */
  scopes: readonly string[];
  handle(ctx: RouteContext): RouteAnswer | MockError;
}
