/**
 * The authentication layer of the mock, shared by every route (the operation,
 * a personality's extra routes, the documents' other operations): steps 1-6 of
 * the judgement order (server.ts). Reads headers only.
 */
import type http from 'node:http';
import {
  EXPIRED_API_TOKEN,
  INTERNAL_SERVER_ERROR,
  INVALID_API_TOKEN,
  INVALID_CAPABILITIES_TOKEN,
  invalidApiToken,
  MISSING_API_TOKEN,
  PERMISSION_DENIED_UNKNOWN_BEARER,
  rateLimitReached,
  SCOPE_NOT_GRANTED,
  scopeNotGranted,
  SERVICE_UNAVAILABLE,
  UNAUTHORIZED_NETWORK_WITHOUT_IP,
  unauthorizedNetwork,
  type MockError,
} from './errors.ts';
import type { FaultFlags } from './faults.ts';
import { admits, normaliseIp, type Token, type TokenStore } from './store.ts';

/**
 * The caller's token, or the error that refuses it. `scopes`: what a route
 * requires, any one of them (empty: any valid token); default: the
 * regenerate-secret operation's api_tokens.
 */
export type Authenticate = (req: http.IncomingMessage, scopes?: readonly string[]) => Token | MockError;

/** Counts a request against its token's rate limit (the live personality); true when over it. */
export interface RateLimiter {
  exceeded(token: Token): boolean;
}

const OAUTH2_PREFIX = 'api.katapult.io/core/v1/';

/** Whether the token has any one of `scopes`, in plain or OAuth2 form (`api.katapult.io/core/v1/<scope>`). */
export function hasAnyScope(token: Token, scopes: readonly string[]): boolean {
  for (const s of token.scopes) {
    const plain = s.startsWith(OAUTH2_PREFIX) ? s.slice(OAUTH2_PREFIX.length) : s;
    if (scopes.includes(plain)) return true;
  }
  return false;
}

/** `rateLimiter` null: only tokens a provider state flags are limited (the documented hot path pays one comparison). */
export function createAuthenticator(store: TokenStore, f: Readonly<FaultFlags>, rateLimiter: RateLimiter | null): Authenticate {
  return function authenticate(req, scopes) {
    const header = req.headers.authorization;
    if (header === undefined) return f.missingAuth403 ? INVALID_API_TOKEN : MISSING_API_TOKEN;
    let secret: string;
    if (header.length > 7 && header.charCodeAt(6) === 32 && header.slice(0, 6).toLowerCase() === 'bearer') {
      secret = header.slice(7).trim();
    } else if (f.basicSchemeAccepted) {
      const space = header.indexOf(' ');
      secret = space === -1 ? '' : header.slice(space + 1).trim();
    } else {
      return MISSING_API_TOKEN;
    }
    if (secret === '') return MISSING_API_TOKEN;

    const token = store.getBySecret(secret);
    if (token === undefined) return f.unknownBearerWrongCode ? PERMISSION_DENIED_UNKNOWN_BEARER : INVALID_API_TOKEN;
    if (store.spendOnce(token, secret)) return INVALID_API_TOKEN;
    if (!f.expiredTokenAccepted && token.isExpired()) {
      if (f.secretIn403Header) {
        return { ...EXPIRED_API_TOKEN, headers: { 'www-authenticate': `Bearer error="invalid_token", token="${Buffer.from(secret).toString('base64')}"` } };
      }
      return f.errorLeaksSecret ? invalidApiToken(`The API token ${secret} has expired`) : EXPIRED_API_TOKEN;
    }
    if (token.allow !== null && !f.networkIgnored) {
      const ip = normaliseIp(req.socket?.remoteAddress);
      if (!admits(token.allow, ip)) return f.networkDetailNoIp ? UNAUTHORIZED_NETWORK_WITHOUT_IP : unauthorizedNetwork(ip || '0.0.0.0');
    }
    if (req.headers['x-capabilities-token'] !== undefined && !f.capabilitiesIgnored) return INVALID_CAPABILITIES_TOKEN;
    if (token.flags.unavailable) return f.unavailable500 ? INTERNAL_SERVER_ERROR : SERVICE_UNAVAILABLE;
    if ((token.flags.rateLimited || (rateLimiter !== null && rateLimiter.exceeded(token))) && !f.rateLimitIgnored) {
      return rateLimitReached(f.rateLimitTotalWrong ? token.rate_limit + 1 : token.rate_limit);
    }
    if (scopes !== undefined) return scopes.length === 0 || hasAnyScope(token, scopes) ? token : scopeNotGranted(scopes);
    if (!token.managesTokens && !f.scopeIgnored) return f.scopeDetailWrong ? scopeNotGranted(token.scopes) : SCOPE_NOT_GRANTED;
    return token;
  };
}
