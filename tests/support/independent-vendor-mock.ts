/**
 * An independent vendor mock, written only from the public contract
 * (docs/conformance-contract.md) and the API documentation page, without
 * looking at the project's reference mock. It deliberately makes different,
 * equally valid choices, so that a run of the suite against it proves the
 * suite judges the contract and not one implementation:
 *
 * - base path `/api/core/v1`, provider states at `/pact/provider-states`;
 * - short numeric-looking string ids ("4711") and 40-hex-digit secrets;
 * - `token_can_regenerate` is self-regeneration: the bearer IS the token's own
 *   secret, so the bearer stops working once the secret is regenerated;
 * - `scope_not_granted` names the scope in its OAuth2 form
 *   (`api.katapult.io/core/v1/api_tokens`);
 * - `detail.ip_address` is the caller as a dual-stack socket reports it,
 *   the IPv4-mapped IPv6 form `::ffff:127.0.0.1`;
 * - capabilities tokens travel in `X-Katapult-Capabilities`, announced through
 *   the states' `headers` (optional on a request; when present it must be valid);
 * - `organization_id: null` and `expires_at: null` (a token that never expires);
 * - undocumented extra fields: `created_at` and `last_used_at` in the token,
 *   `retry_after` at the top of the 503 body, `resets_at` in the 429 detail;
 * - `Content-Type: application/json` with no charset parameter;
 * - bad input: 422 `validation_error` with `detail.errors`, except a body that
 *   is not JSON, which is a 400 `bad_request` in the documented error shape;
 * - a real per-token, per-minute rate limit, and teardown that deletes what its
 *   setup created.
 *
 * `startIndependentMock({ bug })` plants a single deliberate contract violation.
 * `tokenCount()` tells how many tokens the mock still holds (teardown removes
 * what its setup created).
 * No imports from src/: this file stands on its own like a vendor's would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { BlockList, isIP, type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export type IndependentMockBug =
  /** After a regeneration the previous secret keeps authenticating. */
  | 'old-secret-still-works'
  /** 403 scope_not_granted lists the scopes the token has, not the missing one. */
  | 'scope-detail-missing-scope'
  /** A request body that is not JSON crashes the handler: 500 with a text body. */
  | 'not-json-500'
  /** 403 invalid_api_token for an expired token echoes the presented secret in detail.details. */
  | 'secret-echoed-in-error';

export interface IndependentMockOptions {
  bug?: IndependentMockBug;
}

export interface IndependentMock {
  baseUrl: string;
  stateUrl: string;
  close(): Promise<void>;
  /** How many tokens the mock still holds (teardown removes what setup created). */
  tokenCount(): number;
}

const BASE_PATH = '/api/core/v1';
const OPERATION = `${BASE_PATH}/api_tokens/api_token/regenerate_secret`;
const STATE_PATH = '/pact/provider-states';
const CAPABILITIES_HEADER = 'X-Katapult-Capabilities';
const REQUIRED_SCOPE = 'api_tokens';
const OAUTH_SCOPE = `api.katapult.io/core/v1/${REQUIRED_SCOPE}`;

interface Token {
  id: string;
  name: string;
  organization_id: string | null;
  authorized_ip_addresses: string[];
  expires_at: number | null;
  rate_limit: number;
  scopes: string[];
  created_at: number;
  last_used_at: number | null;
  /** Every secret that authenticates as this token (normally exactly one). */
  secrets: string[];
  /** The organisation that may manage tokens with this token (its own org, or a private one when organization_id is null). */
  managesOrg: string;
  failsValidation: boolean;
  unavailable: boolean;
  window: { start: number; count: number };
}

export async function startIndependentMock(options: IndependentMockOptions = {}): Promise<IndependentMock> {
  const bug = options.bug;
  const tokens = new Map<string, Token>();
  const bySecret = new Map<string, Token>();
  const validCapabilities = new Set<string>();
  /** What each state instance created, for its teardown. */
  const created = new Map<string, { tokenIds: string[]; capabilities: string[] }>();
  let nextId = 4000 + Math.floor(Math.random() * 1000);

  const now = () => Math.floor(Date.now() / 1000);
  const newSecret = () => randomBytes(20).toString('hex');
  const newId = () => String(nextId++);

  function addToken(instance: string, t: Partial<Token> & { name: string; managesOrg: string }): Token {
    const secret = newSecret();
    const token: Token = {
      id: newId(),
      organization_id: null,
      authorized_ip_addresses: ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'],
      expires_at: null,
      rate_limit: 600,
      scopes: [REQUIRED_SCOPE, 'servers'],
      created_at: now() - 3600,
      last_used_at: null,
      secrets: [secret],
      failsValidation: false,
      unavailable: false,
      window: { start: Date.now(), count: 0 },
      ...t,
    };
    tokens.set(token.id, token);
    bySecret.set(secret, token);
    record(instance).tokenIds.push(token.id);
    return token;
  }

  function record(instance: string) {
    let r = created.get(instance);
    if (!r) created.set(instance, (r = { tokenIds: [], capabilities: [] }));
    return r;
  }

  function removeToken(id: string) {
    const t = tokens.get(id);
    if (!t) return;
    for (const s of t.secrets) bySecret.delete(s);
    tokens.delete(id);
  }

  /** The token as the API shows it: never its secret(s) or the mock's own flags. */
  function publicToken(t: Token) {
    return {
      id: t.id,
      name: t.name,
      organization_id: t.organization_id,
      authorized_ip_addresses: [...t.authorized_ip_addresses],
      expires_at: t.expires_at,
      rate_limit: t.rate_limit,
      scopes: [...t.scopes],
      created_at: t.created_at,
      last_used_at: t.last_used_at,
    };
  }

  function send(res: ServerResponse, status: number, body: unknown) {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  function error(res: ServerResponse, status: number, code: string, description: string, detail: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    send(res, status, { code, description, detail, ...extra });
  }

  function callerIp(req: IncomingMessage): string {
    const ip = req.socket.remoteAddress ?? '127.0.0.1';
    // Report the caller the way a dual-stack listener sees an IPv4 peer.
    return isIP(ip) === 4 ? `::ffff:${ip}` : ip;
  }

  function admits(t: Token, ip: string): boolean {
    if (t.authorized_ip_addresses.length === 0) return true;
    const list = new BlockList();
    for (const entry of t.authorized_ip_addresses) {
      const [addr, bits] = entry.split('/');
      const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(addr, family);
      else list.addSubnet(addr, Number(bits), family);
    }
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (list.check(ip, family)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    return mapped ? list.check(mapped[1], 'ipv4') : false;
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  async function regenerate(req: IncomingMessage, res: ServerResponse) {
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

  async function providerState(req: IncomingMessage, res: ServerResponse) {
    let msg: any;
    try {
      msg = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, { error: 'body must be JSON' });
    }
    const state = msg?.state;
    const instance = msg?.params?.instance;
    const action = msg?.action ?? 'setup';
    if (typeof state !== 'string' || typeof instance !== 'string') return send(res, 400, { error: 'state and params.instance are required' });
    const key = `${state}\u0000${instance}`;

    if (action === 'teardown') {
      const r = created.get(key);
      created.delete(key);
      for (const id of r?.tokenIds ?? []) removeToken(id);
      for (const c of r?.capabilities ?? []) validCapabilities.delete(c);
      return send(res, 200, {});
    }
    if (action !== 'setup') return send(res, 400, { error: `unknown action ${action}` });

    const org = `org-${instance}`;
    const own = (t: Token) => ({ ...publicToken(t) });
    const secretOf = (t: Token) => t.secrets[0];
    switch (state) {
      case 'token_can_regenerate': {
        const t = addToken(key, { name: `conformance ${instance}`, managesOrg: org });
        const cap = `kcap_${randomBytes(12).toString('hex')}`;
        validCapabilities.add(cap);
        record(key).capabilities.push(cap);
        return send(res, 200, { bearer: secretOf(t), secret: secretOf(t), api_token: own(t), headers: { [CAPABILITIES_HEADER]: cap } });
      }
      case 'token_expired': {
        const t = addToken(key, { name: 'expired', managesOrg: org, expires_at: now() - 86_400 });
        return send(res, 200, { bearer: secretOf(t), api_token: own(t) });
      }
      case 'network_not_authorized': {
        const t = addToken(key, { name: 'office only', managesOrg: org, authorized_ip_addresses: ['203.0.113.0/24', '2001:db8::/32'] });
        return send(res, 200, { bearer: secretOf(t), api_token: own(t) });
      }
      case 'capabilities_token_invalid': {
        const t = addToken(key, { name: 'with capabilities', managesOrg: org });
        return send(res, 200, { bearer: secretOf(t), api_token: own(t), headers: { [CAPABILITIES_HEADER]: `kcap_${randomBytes(12).toString('hex')}` } });
      }
      case 'scope_not_granted': {
        const t = addToken(key, { name: 'servers only', managesOrg: org, scopes: ['servers', 'dns_zones'] });
        return send(res, 200, { bearer: secretOf(t), api_token: own(t) });
      }
      case 'permission_denied': {
        const caller = addToken(key, { name: 'caller', managesOrg: org });
        const other = addToken(key, { name: 'someone else', managesOrg: `other-${instance}`, organization_id: String(9000 + Math.floor(Math.random() * 999)) });
        return send(res, 200, { bearer: secretOf(caller), api_token: own(other) });
      }
      case 'validation_fails': {
        const t = addToken(key, { name: 'x'.repeat(300), managesOrg: org, failsValidation: true });
        return send(res, 200, { bearer: secretOf(t), api_token: own(t) });
      }
      case 'rate_limit_reached': {
        const limit = 30 + Math.floor(Math.random() * 90);
        const t = addToken(key, { name: 'busy', managesOrg: org, rate_limit: limit });
        t.window = { start: Date.now(), count: limit };
        return send(res, 200, { bearer: secretOf(t), api_token: own(t), total_permitted: limit });
      }
      case 'service_unavailable': {
        const t = addToken(key, { name: 'in maintenance', managesOrg: org, unavailable: true });
        return send(res, 200, { bearer: secretOf(t), api_token: own(t) });
      }
      default:
        return send(res, 404, { error: `unknown state ${state}` });
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handle = async () => {
      if (path === OPERATION && req.method === 'POST') return regenerate(req, res);
      if (path === STATE_PATH && req.method === 'POST') return providerState(req, res);
      await readBody(req);
      return send(res, 404, { code: 'route_not_found', description: 'No route matches this request', detail: {} });
    };
    handle().catch((e) => {
      if (!res.headersSent) send(res, 500, { code: 'internal_error', description: String(e), detail: {} });
      else res.destroy();
    });
  });
  // Node's 5 s default races the client's keep-alive reuse on a starved machine:
  // the client sends on a connection the server has just closed (a "reset"
  // that no vendor would see from a real network). close() drops idle ones.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}${BASE_PATH}`,
    stateUrl: `${origin}${STATE_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    tokenCount: () => tokens.size,
  };
}
