#!/usr/bin/env node
/**
 * A vendor-style mock of the Katapult Core API operation
 * "Regenerate organization API token secret", with the provider-state endpoint
 * the conformance suite uses to arrange each situation. A starting point for
 * your own mock: plain JavaScript, Node.js 20, no dependencies.
 *
 *   node server.mjs [--port 8080]
 *
 *   POST /core/v1/api_tokens/api_token/regenerate_secret   the operation
 *   POST /_states                                          the provider states
 *
 * Everything lives in memory. The contract it follows is docs/conformance-contract.md.
 */
import { createServer } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const BASE_PATH = '/core/v1';
const OPERATION_PATH = `${BASE_PATH}/api_tokens/api_token/regenerate_secret`;
const STATE_PATH = '/_states';
const REQUIRED_SCOPE = 'api_tokens';
/** The header this mock reads a capabilities token from. It never issues a valid one. */
const CAPABILITIES_HEADER = 'x-capabilities-token';
/** Networks that admit a caller on this machine. */
const LOOPBACK = ['127.0.0.0/8', '::1/128'];
/** A documentation range (RFC 5737): no real caller is in it. */
const FOREIGN_NETWORK = '192.0.2.0/24';

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

/**
 * A token as this mock stores it. Besides the documented fields it carries
 * three flags that the provider states set, so that the operation can answer
 * 422, 429 and 503 on demand.
 */
function newToken(fields) {
  return {
    id: `tok_${randomBytes(8).toString('hex')}`,
    name: 'Example token',
    organization_id: null,
    authorized_ip_addresses: [...LOOPBACK],
    expires_at: null,
    rate_limit: 600,
    scopes: [REQUIRED_SCOPE],
    secret: newSecret(),
    failsValidation: false,
    rateLimited: false,
    unavailable: false,
    ...fields,
  };
}

/** 256 random bits: the suite judges a secret's strength. */
function newSecret() {
  return randomBytes(32).toString('base64url');
}

/** The token as the API shows it: documented fields only, no secret. */
function publicView(token) {
  const { id, name, organization_id, authorized_ip_addresses, expires_at, rate_limit, scopes } = token;
  return { id, name, organization_id, authorized_ip_addresses: [...authorized_ip_addresses], expires_at, rate_limit, scopes: [...scopes] };
}

function admits(token, ip) {
  const list = new BlockList();
  for (const entry of token.authorized_ip_addresses) {
    const [address, bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  // A dual-stack socket may report an IPv4 caller as ::ffff:127.0.0.1.
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  return v4 ? list.check(v4, 'ipv4') : list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

// ---------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The documented error shape: {"code", "description", "detail"}. */
function sendError(res, status, code, description, detail = {}) {
  sendJson(res, status, { code, description, detail });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------
// The mock
// ---------------------------------------------------------------------------

export function createVendorMock() {
  /** Every token by id; secrets are looked up by scanning (a mock holds few tokens). */
  const tokens = new Map();
  /** What each (state, instance) setup created, so that its teardown removes exactly that. */
  const createdBy = new Map();

  const bySecret = (secret) => [...tokens.values()].find((t) => t.secret === secret);

  function add(setupKey, fields) {
    const token = newToken(fields);
    tokens.set(token.id, token);
    createdBy.get(setupKey).push(token.id);
    return token;
  }

  /**
   * The operation. The order of the checks matters: authentication (400,
   * 403) is judged before the body, as the documentation describes.
   */
  async function regenerateSecret(req, res) {
    const text = await readBody(req);

    const bearer = /^Bearer +(\S+) *$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer) {
      return sendError(res, 400, 'missing_api_token', 'No API token was provided in the Authorization header. Ensure a token is provided prefixed with Bearer');
    }
    const caller = bySecret(bearer);
    const now = Math.floor(Date.now() / 1000);
    if (!caller || (caller.expires_at !== null && caller.expires_at <= now)) {
      return sendError(res, 403, 'invalid_api_token', 'The API token provided was not valid (it may not exist or have expired)', { details: null });
    }
    const ip = req.socket.remoteAddress ?? '';
    if (!admits(caller, ip)) {
      return sendError(res, 403, 'unauthorized_network_for_api_token', 'Network is not allowed to access the API with this API token', { ip_address: ip });
    }
    if (req.headers[CAPABILITIES_HEADER] !== undefined) {
      return sendError(res, 403, 'invalid_capabilities_token', 'The capabilities token provided was not valid (either not valid, expired or not signed by the correct key)');
    }
    if (caller.unavailable) {
      return sendError(res, 503, 'service_unavailable', 'The service is currently unavailable, please try again later');
    }
    if (caller.rateLimited) {
      return sendError(res, 429, 'rate_limit_reached', 'You have reached the rate limit for this type of request', { total_permitted: caller.rate_limit });
    }
    if (!caller.scopes.includes(REQUIRED_SCOPE)) {
      return sendError(res, 403, 'scope_not_granted', 'The scope required for this endpoint has not been granted to the authenticating identity', { scopes: [REQUIRED_SCOPE] });
    }

    // Now the body: {"api_token": {"id": "<string>"}}.
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return sendError(res, 422, 'validation_error', 'The request body is not valid JSON', { errors: ['The body must be a JSON object'] });
    }
    const id = body?.api_token?.id;
    if (typeof id !== 'string' || id === '') {
      return sendError(res, 422, 'validation_error', 'The api_token argument is invalid', { errors: ['api_token must be an object with a string id'] });
    }

    const target = tokens.get(id);
    if (!target) {
      return sendError(res, 404, 'api_token_not_found', 'No API token was found matching any of the criteria provided in the arguments');
    }
    if (target.organization_id !== caller.organization_id) {
      return sendError(res, 403, 'permission_denied', 'The authenticated identity is not permitted to perform this action', { details: 'The token belongs to another organization' });
    }
    if (target.failsValidation) {
      return sendError(res, 422, 'validation_error', 'A validation error occurred with the object that was being created/updated/deleted', { errors: ['Name is too long'] });
    }

    // One secret per token: replacing it makes the old one fail at once.
    target.secret = newSecret();
    return sendJson(res, 200, { api_token: { ...publicView(target), secret: target.secret } });
  }

  /**
   * The provider-state endpoint:
   *   {"state": "<name>", "params": {"instance": "<id>"}, "action": "setup" | "teardown"}
   * Each setup creates fresh tokens in a fresh organization and answers the
   * values the suite needs; several setups may be live at the same time.
   */
  async function providerState(req, res) {
    let message;
    try {
      message = JSON.parse(await readBody(req));
    } catch {
      return sendJson(res, 400, { error: 'the body must be JSON' });
    }
    const { state, params, action = 'setup' } = message ?? {};
    if (typeof state !== 'string' || typeof params?.instance !== 'string') {
      return sendJson(res, 400, { error: 'state and params.instance are required' });
    }
    const key = `${state}/${params.instance}`;

    if (action === 'teardown') {
      for (const id of createdBy.get(key) ?? []) tokens.delete(id);
      createdBy.delete(key);
      return sendJson(res, 200, {});
    }
    if (action !== 'setup') return sendJson(res, 400, { error: `unknown action ${action}` });

    // A repeated setup of the same instance replaces the previous one.
    for (const id of createdBy.get(key) ?? []) tokens.delete(id);
    createdBy.set(key, []);
    const org = `org_${randomBytes(6).toString('hex')}`;
    /** The usual pair: a caller with the api_tokens scope, and a token of the same organization to regenerate. */
    const pair = (callerFields = {}, targetFields = {}) => {
      const caller = add(key, { name: 'Caller', organization_id: org, ...callerFields });
      const target = add(key, { name: 'Token to regenerate', organization_id: org, ...targetFields });
      return { bearer: caller.secret, api_token: publicView(target), target };
    };

    switch (state) {
      case 'token_can_regenerate': {
        const { bearer, api_token, target } = pair();
        return sendJson(res, 200, { bearer, api_token, secret: target.secret });
      }
      case 'token_expired': {
        const { bearer, api_token } = pair({ expires_at: Math.floor(Date.now() / 1000) - 3600 });
        return sendJson(res, 200, { bearer, api_token });
      }
      case 'network_not_authorized': {
        const { bearer, api_token } = pair({ authorized_ip_addresses: [FOREIGN_NETWORK] });
        return sendJson(res, 200, { bearer, api_token });
      }
      case 'capabilities_token_invalid': {
        const { bearer, api_token } = pair();
        // The suite sends these headers verbatim with the bearer.
        return sendJson(res, 200, { bearer, api_token, headers: { 'X-Capabilities-Token': `invalid-${randomBytes(8).toString('hex')}` } });
      }
      case 'scope_not_granted': {
        const { bearer, api_token } = pair({ scopes: ['api_tokens:read'] });
        return sendJson(res, 200, { bearer, api_token });
      }
      case 'permission_denied': {
        const caller = add(key, { name: 'Caller', organization_id: org });
        const other = add(key, { name: 'Token of another organization', organization_id: `org_${randomBytes(6).toString('hex')}` });
        return sendJson(res, 200, { bearer: caller.secret, api_token: publicView(other) });
      }
      case 'validation_fails': {
        const { bearer, api_token } = pair({}, { failsValidation: true });
        return sendJson(res, 200, { bearer, api_token });
      }
      case 'rate_limit_reached': {
        const { bearer, api_token } = pair({ rate_limit: 120, rateLimited: true });
        return sendJson(res, 200, { bearer, api_token, total_permitted: 120 });
      }
      case 'service_unavailable': {
        const { bearer, api_token } = pair({ unavailable: true });
        return sendJson(res, 200, { bearer, api_token });
      }
      default:
        createdBy.delete(key);
        return sendJson(res, 404, { error: `unknown state ${state}` });
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let handled;
    if (req.method === 'POST' && path === OPERATION_PATH) handled = regenerateSecret(req, res);
    else if (req.method === 'POST' && path === STATE_PATH) handled = providerState(req, res);
    else handled = readBody(req).then(() => sendError(res, 404, 'route_not_found', 'No route matches this request'));
    handled.catch(() => {
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'The mock failed to answer');
      else res.destroy();
    });
  });

  return {
    /** Starts listening on 127.0.0.1 (port 0: any free port); resolves to the URLs to give the suite. */
    listen(port = 8080, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const origin = `http://${host}:${server.address().port}`;
          resolve({ baseUrl: `${origin}${BASE_PATH}`, stateUrl: `${origin}${STATE_PATH}` });
        });
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
    /** How many tokens the mock holds: after a run, teardown should have removed them all. */
    tokenCount: () => tokens.size,
  };
}

// Run as a program: node server.mjs [--port N]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--port');
  const port = at > 0 ? Number(process.argv[at + 1]) : 8080;
  const mock = createVendorMock();
  const { baseUrl, stateUrl } = await mock.listen(port);
  console.log(`Example vendor mock listening.\nBASE_URL=${baseUrl}\nSTATE_URL=${stateUrl}`);
  const stop = () => mock.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
