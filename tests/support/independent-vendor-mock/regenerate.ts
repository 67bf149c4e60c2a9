/**
 * The independent vendor mock's one operation, POST
 * /api/core/v1/api_tokens/api_token/regenerate_secret: authentication first,
 * then network, capabilities, availability, rate limit and scope, then the
 * body, the target token and its organisation. A planted bug changes one
 * answer. Part of ../independent-vendor-mock.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admits, callerIp, error, readBody, send } from './http.ts';
import { CAPABILITIES_HEADER, newSecret, now, OAUTH_SCOPE, publicToken, REQUIRED_SCOPE, type Store } from './store.ts';

export type IndependentMockBug =
  /** After a regeneration the previous secret keeps authenticating. */
  | 'old-secret-still-works'
  /** 403 scope_not_granted lists the scopes the token has, not the missing one. */
  | 'scope-detail-missing-scope'
  /** A request body that is not JSON crashes the handler: 500 with a text body. */
  | 'not-json-500'
  /** 403 invalid_api_token for an expired token echoes the presented secret in detail.details. */
  | 'secret-echoed-in-error';

export async function regenerate(store: Store, bug: IndependentMockBug | undefined, req: IncomingMessage, res: ServerResponse) {
  const { bySecret, validCapabilities, tokens } = store;
  // Authentication is judged before the body is even looked at.
  const auth = req.headers.authorization;
  const m = typeof auth === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(auth) : null;
  if (!m) {
    await readBody(req);
    return error(res, 400, 'missing_api_token', 'No API token was provided in the Authorization header. Ensure a token is provided prefixed with Bearer');
  }
  const caller = bySecret.get(m[1]);
  const text = await readBody(req);
  if (!caller || (caller.expires_at !== null && caller.expires_at <= now())) {
    if (caller && bug === 'secret-echoed-in-error') {
      return error(res, 403, 'invalid_api_token', 'The API token provided was not valid (it may not exist or have expired)', { details: `API token ${m[1]} expired` });
    }
    return error(res, 403, 'invalid_api_token', 'The API token provided was not valid (it may not exist or have expired)');
  }
  const ip = callerIp(req);
  if (!admits(caller, ip)) {
    return error(res, 403, 'unauthorized_network_for_api_token', 'Network is not allowed to access the API with this API token', { ip_address: ip });
  }
  const cap = req.headers[CAPABILITIES_HEADER.toLowerCase()];
  if (cap !== undefined && (typeof cap !== 'string' || !validCapabilities.has(cap))) {
    return error(res, 403, 'invalid_capabilities_token', 'The capabilities token provided was not valid (either not valid, expired or not signed by the correct key)');
  }
  if (caller.unavailable) {
    return error(res, 503, 'service_unavailable', 'The service is currently unavailable, please try again later', {}, { retry_after: 30 });
  }
  const t = Date.now();
  if (t - caller.window.start >= 60_000) caller.window = { start: t, count: 0 };
  if (caller.window.count >= caller.rate_limit) {
    return error(res, 429, 'rate_limit_reached', 'You have reached the rate limit for this type of request', {
      total_permitted: caller.rate_limit,
      resets_at: Math.ceil((caller.window.start + 60_000) / 1000),
    });
  }
  caller.window.count++;
  caller.last_used_at = now();
  if (!caller.scopes.includes(REQUIRED_SCOPE)) {
    const scopes = bug === 'scope-detail-missing-scope' ? caller.scopes.map((s) => `api.katapult.io/core/v1/${s}`) : [OAUTH_SCOPE];
    return error(res, 403, 'scope_not_granted', 'The scope required for this endpoint has not been granted to the authenticating identity', { scopes });
  }

  // The body.
  if (text.trim() === '') return error(res, 422, 'validation_error', 'The request body is missing', { errors: ['A JSON body with an api_token object is required'] });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (bug === 'not-json-500') {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      return res.end('Internal Server Error');
    }
    return error(res, 400, 'bad_request', 'The request body could not be parsed as JSON', { errors: ['Body is not valid JSON'] });
  }
  const apiToken = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).api_token : undefined;
  if (apiToken === undefined) return error(res, 422, 'validation_error', 'api_token is required', { errors: ['api_token is required'] });
  if (apiToken === null || typeof apiToken !== 'object' || Array.isArray(apiToken)) {
    return error(res, 422, 'validation_error', 'api_token must be an object', { errors: ['api_token must be an object'] });
  }
  const id = (apiToken as Record<string, unknown>).id;
  if (id === undefined) return error(res, 422, 'validation_error', 'api_token.id is required', { errors: ['api_token.id is required'] });
  if (typeof id !== 'string' || id === '') return error(res, 422, 'validation_error', 'api_token.id must be a string', { errors: ['api_token.id must be a non-empty string'] });

  const target = tokens.get(id);
  if (!target) return error(res, 404, 'api_token_not_found', 'No API token was found matching any of the criteria provided in the arguments.');
  if (target.managesOrg !== caller.managesOrg) {
    return error(res, 403, 'permission_denied', 'The authenticated identity is not permitted to perform this action', {
      details: 'This API token belongs to an organization the caller cannot manage',
    });
  }
  if (target.failsValidation) {
    return error(res, 422, 'validation_error', 'A validation error occurred with the object that was being created/updated/deleted', {
      errors: ['Name is too long (maximum is 255 characters)', 'Authorized IP addresses contains an invalid entry'],
    });
  }

  const secret = newSecret();
  if (bug !== 'old-secret-still-works') {
    for (const s of target.secrets) bySecret.delete(s);
    target.secrets = [];
  }
  target.secrets.push(secret);
  bySecret.set(secret, target);
  return send(res, 200, { api_token: { ...publicToken(target), secret } });
}
