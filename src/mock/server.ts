/**
 * The reference mock: a plain node:http server implementing
 * `POST {basePath}/api_tokens/api_token/regenerate_secret` as documented, and
 * the provider-state endpoint `POST /_provider-states` of the contract. The
 * `live` personality (personality.ts, live.ts) adds the token-management
 * routes, a per-token rate limit and wrapped errors, and drops the state endpoint.
 *
 * Order of judgement of the operation (authentication before the body):
 *   1. Authorization missing / not Bearer / empty      -> 400 missing_api_token
 *   2. unknown or expired bearer                        -> 403 invalid_api_token
 *   3. caller IP outside authorized_ip_addresses        -> 403 unauthorized_network_for_api_token
 *   4. X-Capabilities-Token present (never issued)      -> 403 invalid_capabilities_token
 *   5. token flagged unavailable / over its rate limit  -> 503 service_unavailable / 429 rate_limit_reached
 *   6. no api_tokens scope                              -> 403 scope_not_granted
 *   7. body not {"api_token": {"id": string}}           -> 422 validation_error
 *   8. unknown id                                       -> 404 api_token_not_found
 *   9. token of another organization                    -> 403 permission_denied
 *  10. token flagged to fail validation                 -> 422 validation_error
 *  11. success                                          -> 200 {"api_token": {..., "secret": <new>}}
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  API_TOKEN_NOT_FOUND,
  API_TOKEN_NOT_FOUND_NULL_DETAIL,
  BODY_LIMIT_BYTES,
  BAD_INPUT,
  createErrorRenderer,
  DESCRIPTIONS,
  EXPIRED_API_TOKEN,
  INTERNAL_SERVER_ERROR,
  INVALID_API_TOKEN,
  INVALID_CAPABILITIES_TOKEN,
  invalidApiToken,
  JSON_CONTENT_TYPE,
  methodNotAllowed,
  MISSING_API_TOKEN,
  PERMISSION_DENIED_OTHER_ORGANIZATION,
  PERMISSION_DENIED_UNKNOWN_BEARER,
  rateLimitReached,
  routeNotFound,
  SAVE_VALIDATION_ERROR,
  SAVE_VALIDATION_ERROR_EMPTY,
  SCOPE_NOT_GRANTED,
  scopeNotGranted,
  SERVICE_UNAVAILABLE,
  stateRequestError,
  UNAUTHORIZED_NETWORK_WITHOUT_IP,
  unauthorizedNetwork,
  type MockError,
} from './errors.ts';
import { faultFlags, parseFaults, type FaultName } from './faults.ts';
import { answerAuthLayer, authLayerRoutes, type AuthLayerFaults } from './auth-layer.ts';
import type { LiveAccount, LiveOptions } from './live-personality.ts';
import { hasAnyScope } from './live-personality.ts';
import { PERSONALITIES, PERSONALITY_NAMES, type PersonalityName } from './personality.ts';
import { ProviderStates } from './provider-state-endpoint.ts';
import { admits, normaliseIp, Token, TokenStore } from './store.ts';

export type { FaultName } from './faults.ts';
export { FAULTS, FAULT_NAMES } from './faults.ts';
export { STATE_NAMES, type StateName } from './provider-state-endpoint.ts';
export type { PersonalityName } from './personality.ts';
export type { LiveAccount, LiveOptions } from './live-personality.ts';

export interface ResponseLogEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  status: number;
  durationMs: number;
}

export interface MockOptions {
  /**
   * `documented` (default): the API exactly as documented, with provider states.
   * `live`: the vendor's live framework (wrapped errors, its 400 codes, token
   * list/create/delete, a per-token rate limit, no provider states); see personality.ts.
   */
  personality?: PersonalityName;
  /** Options of the `live` personality (ignored otherwise). */
  live?: LiveOptions;
  /** Named faults (faults.ts), each breaking exactly one documented behaviour. */
  faults?: readonly FaultName[];
  /**
   * A folder of OpenAPI documents: the mock also serves the authentication
   * layer of every operation in them that it does not implement (auth-layer.ts).
   */
  specsDir?: string;
  /** Per-operation faults of that layer (operationId -> fault names). */
  authLayerFaults?: AuthLayerFaults;
  /** Base path of the operation; default `/core/v1`. */
  basePath?: string;
  /** Called once per answered request with method, path, status and duration only (never headers or bodies). */
  onResponse?: (entry: ResponseLogEntry) => void;
  /** Called for a genuine bug caught by the handler (answered 500); default: its stack on stderr. */
  onInternalError?: (error: unknown) => void;
}

export interface MockAddress {
  origin: string;
  /** origin + basePath */
  baseUrl: string;
  /** origin + '/_provider-states' (served by the documented personality only; the live one has none) */
  stateUrl: string;
}

export interface Mock {
  /** The request handler, usable in-process (e.g. `http.createServer(mock.handler)`). */
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  /** Listens on `port` (0 = a free port; default 0) and `host` (default 127.0.0.1). */
  listen(port?: number, host?: string): Promise<MockAddress>;
  /** Stops listening and closes every connection (idle keep-alive ones at once). */
  close(): Promise<void>;
  /** Every secret / bearer the mock has handed out (states and regenerations), for leak scans. */
  issuedSecrets(): string[];
  /** Tokens currently in memory. */
  tokenCount(): number;
  /** The `live` personality's organization and admin token (KATAPULT_ORGANIZATION, KATAPULT_API_TOKEN); undefined otherwise. */
  readonly live?: LiveAccount;
}

export const STATE_PATH = '/_provider-states';
export const OPERATION_PATH = '/api_tokens/api_token/regenerate_secret';
const STATE_BODY_LIMIT_BYTES = 64 * 1024;
const CLOSE_GRACE_MS = 1000;
/** How long a regeneration takes under the `race-both-valid` fault: two sent at once overlap within it. */
const RACE_WINDOW_MS = 500;
const EMPTY = Buffer.alloc(0);
const TOO_LARGE = Symbol('too large');
const ABORTED = Symbol('aborted');
type Body = Buffer | typeof TOO_LARGE | typeof ABORTED;

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** '/core/v1/' -> '/core/v1'; 'core' -> '/core'; '/' or '' -> ''. */
export function normaliseBasePath(basePath: string): string {
  let p = basePath.trim();
  if (p !== '' && !p.startsWith('/')) p = `/${p}`;
  while (p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** Reads the whole body up to `limit` bytes; never throws. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      req.on('error', noop);
      resolve(TOO_LARGE);
      return;
    }
    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settled = true;
        first = chunks = null;
        resolve(TOO_LARGE);
      } else if (first === null) {
        first = chunk;
      } else {
        (chunks ??= [first]).push(chunk);
      }
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks !== null ? Buffer.concat(chunks, size) : (first ?? EMPTY));
    });
    req.on('error', () => {
      if (settled) return;
      settled = true;
      resolve(ABORTED);
    });
  });
}

function noop(): void {}

const isToken = (v: Token | MockError): v is Token => v instanceof Token;

export function createMock(options: MockOptions = {}): Mock {
  const personalityName = options.personality ?? 'documented';
  const personality = PERSONALITIES[personalityName];
  if (personality === undefined) {
    throw new Error(`unknown personality ${JSON.stringify(personalityName)}; known: ${PERSONALITY_NAMES.join(', ')}`);
  }
  const f = faultFlags(parseFaults(options.faults ?? []));
  const basePath = normaliseBasePath(options.basePath ?? '/core/v1');
  const store = new TokenStore(f);
  const states = new ProviderStates(store, f);
  const render = createErrorRenderer(personality.errorRendering(f));
  const instance = personality.instantiate({ store, faults: f, live: options.live ?? {} });
  /** null unless the personality limits every request (live): the documented hot path pays one comparison. */
  const rateLimiter = instance.rateLimiter;
  const onInternalError =
    options.onInternalError ?? ((e: unknown) => process.stderr.write(`reference mock: internal error: ${e instanceof Error ? e.stack : String(e)}\n`));

  // ------------------------------------------------------------ responses

  function sendError(res: http.ServerResponse, error: MockError): void {
    const r = render(error);
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  }

  function sendJson(res: http.ServerResponse, status: number, body: object): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  /** A genuine bug: answer 500 JSON if still possible, never crash. */
  function fail(res: http.ServerResponse, e: unknown): void {
    onInternalError(e);
    if (!res.headersSent) {
      sendError(res, { ...INTERNAL_SERVER_ERROR, closeConnection: true });
    } else {
      res.destroy();
    }
  }

  // ------------------------------------------------------------ the operation

  /**
   * Steps 1-6: the caller's token, or the error that refuses it. Reads headers
   * only. `scopes`: what a personality's extra route requires (default: the
   * operation's api_tokens).
   */
  function authenticate(req: http.IncomingMessage, scopes?: readonly string[]): Token | MockError {
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
  }

  /** Steps 8-11, once the caller and the requested id are known. */
  function regenerateFor(res: http.ServerResponse, caller: Token, id: string): void {
    const target = store.getById(id);
    if (target === undefined) {
      sendError(res, f.notFound500 ? INTERNAL_SERVER_ERROR : f.errorDetailNull ? API_TOKEN_NOT_FOUND_NULL_DETAIL : API_TOKEN_NOT_FOUND);
      return;
    }
    if (target.organization_id !== caller.organization_id && !f.permissionIgnored) {
      sendError(res, PERMISSION_DENIED_OTHER_ORGANIZATION);
      return;
    }
    if (target.flags.failValidation && !f.validationIgnored) {
      sendError(res, f.validationErrorsEmpty ? SAVE_VALIDATION_ERROR_EMPTY : SAVE_VALIDATION_ERROR);
      return;
    }
    if (f.tokenFieldChanged) {
      target.name = `${target.name} (regenerated)`;
      target.successPrefix = null;
    }
    if (f.raceBothValid) return rotateSlowly(res, target);
    answerRotation(res, target, store.rotate(target));
  }

  function answerRotation(res: http.ServerResponse, target: Token, secret: string): void {
    const body = successBody(target, f.secretEmpty ? '' : secret);
    res.writeHead(200, { 'content-type': JSON_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  /**
   * Fault `race-both-valid`: a regeneration takes a while, and one that
   * overlaps another of the same token forgets to revoke the secret it replaces.
   */
  function rotateSlowly(res: http.ServerResponse, target: Token): void {
    target.rotationsInFlight++;
    if (target.rotationsInFlight > 1) target.raced = true;
    setTimeout(() => {
      const secret = store.rotate(target, target.raced);
      if (--target.rotationsInFlight === 0) target.raced = false;
      if (!res.destroyed) answerRotation(res, target, secret);
    }, RACE_WINDOW_MS).unref();
  }

  function successBody(token: Token, secret: string): string {
    if (f.tokenIdMismatch || f.undocumentedField) {
      const view: Record<string, unknown> = { ...token.view(), secret };
      if (f.tokenIdMismatch) view.id = `${token.id}x`;
      if (f.undocumentedField) view.created_at = token.createdAt;
      return JSON.stringify({ api_token: view });
    }
    // Fields other than the secret do not change: serialise them once per token.
    const prefix = (token.successPrefix ??= JSON.stringify({ api_token: { ...token.view(), secret: '' } }).slice(0, -4));
    return `${prefix}${JSON.stringify(secret)}}}`;
  }

  const regenerate: Handler = (req, res) => {
    if (f.bodyBeforeAuth) {
      return readBody(req, BODY_LIMIT_BYTES).then((raw) => {
        if (raw === ABORTED) return;
        const id = raw === TOO_LARGE ? BAD_INPUT.tooLarge : personality.judgeLookupBody(raw, f);
        if (typeof id !== 'string') return sendError(res, id);
        const caller = authenticate(req);
        if (!isToken(caller)) return sendError(res, caller);
        regenerateFor(res, caller, id);
      });
    }
    const caller = authenticate(req);
    if (!isToken(caller)) {
      sendError(res, caller); // the body, if any, is discarded by node
      return;
    }
    return readBody(req, BODY_LIMIT_BYTES).then((raw) => {
      if (raw === ABORTED) return;
      const id = raw === TOO_LARGE ? BAD_INPUT.tooLarge : personality.judgeLookupBody(raw, f);
      if (typeof id !== 'string') return sendError(res, id);
      regenerateFor(res, caller, id);
    });
  };

  // ------------------------------------------------------------ provider states

  const providerStates: Handler = (req, res) =>
    readBody(req, STATE_BODY_LIMIT_BYTES).then((raw) => {
      if (raw === ABORTED) return;
      if (raw === TOO_LARGE) {
        const e = stateRequestError(`the body exceeds ${STATE_BODY_LIMIT_BYTES} bytes`);
        return sendJson(res, e.status, e.body);
      }
      const result = states.handle(raw, normaliseIp(req.socket?.remoteAddress));
      sendJson(res, result.status, result.body);
    });

  // ------------------------------------------------------------ routing

  /** path -> method -> handler. A personality adds its routes (live: token management) and may drop provider states. */
  const routes = new Map<string, Map<string, Handler>>([[basePath + OPERATION_PATH, new Map([['POST', regenerate]])]]);
  if (instance.providerStates) routes.set(STATE_PATH, new Map([['POST', providerStates]]));
  for (const [path, methods] of instance.routes) {
    const byMethod = new Map<string, Handler>();
    for (const [method, route] of methods) {
      byMethod.set(method, (req, res) => {
        const caller = authenticate(req, route.scopes);
        if (!isToken(caller)) return sendError(res, caller);
        return readBody(req, BODY_LIMIT_BYTES).then((raw) => {
          if (raw === ABORTED) return;
          if (raw === TOO_LARGE) return sendError(res, BAD_INPUT.tooLarge);
          const url = req.url ?? '';
          const q = url.indexOf('?');
          const out = route.handle({ store, caller, body: raw, query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)) });
          if ('json' in out) sendJson(res, out.status, out.json);
          else sendError(res, out);
        });
      });
    }
    routes.set(basePath + path, byMethod);
  }
  // The documents' other operations: their authentication layer only. Routes above keep their own handler.
  if (options.specsDir !== undefined) {
    for (const [path, methods] of authLayerRoutes(options.specsDir, options.authLayerFaults)) {
      const byMethod = routes.get(basePath + path) ?? new Map<string, Handler>();
      for (const [method, route] of methods) {
        if (byMethod.has(method)) continue;
        byMethod.set(method, (req, res) => {
          const answer = answerAuthLayer(req, route.operation, route.faults, authenticate);
          if ('json' in answer) sendJson(res, answer.status, answer.json);
          else sendError(res, answer);
        });
      }
      routes.set(basePath + path, byMethod);
    }
  }

  function dispatch(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const methods = routes.get(path);
    const method = req.method ?? 'GET';
    if (methods === undefined) return sendError(res, routeNotFound(method, path));
    const handle = methods.get(method);
    if (handle === undefined) {
      res.setHeader('allow', [...methods.keys()].join(', '));
      return sendError(res, methodNotAllowed(method, [...methods.keys()]));
    }
    const pending = handle(req, res);
    if (pending !== undefined) pending.catch((e: unknown) => fail(res, e));
  }

  const core = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    try {
      dispatch(req, res);
    } catch (e) {
      fail(res, e);
    }
  };

  const onResponse = options.onResponse;
  const handler: Mock['handler'] =
    onResponse === undefined
      ? core
      : (req, res) => {
          const started = performance.now();
          res.once('finish', () => {
            const url = req.url ?? '/';
            const q = url.indexOf('?');
            try {
              onResponse({
                method: req.method ?? '',
                path: q === -1 ? url : url.slice(0, q),
                status: res.statusCode,
                durationMs: performance.now() - started,
              });
            } catch (e) {
              onInternalError(e); // a broken logger must not take the server down
            }
          });
          core(req, res);
        };

  // ------------------------------------------------------------ server

  let server: http.Server | null = null;

  function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    const body = JSON.stringify({ code: 'bad_request', description: DESCRIPTIONS.bad_request, detail: {} });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  return {
    handler,

    listen(port = 0, host = '127.0.0.1') {
      if (server !== null) return Promise.reject(new Error('the mock is already listening'));
      const s = http.createServer(handler);
      s.on('clientError', onClientError);
      server = s;
      return new Promise<MockAddress>((resolve, reject) => {
        const onError = (e: Error) => {
          server = null;
          reject(e);
        };
        s.once('error', onError);
        s.listen(port, host, () => {
          s.off('error', onError);
          s.on('error', noop);
          const a = s.address() as AddressInfo;
          const address =
            a.address === '0.0.0.0' ? '127.0.0.1' : a.address === '::' ? '::1' : a.address;
          const origin = `http://${address.includes(':') ? `[${address}]` : address}:${a.port}`;
          resolve({ origin, baseUrl: origin + basePath, stateUrl: origin + STATE_PATH });
        });
      });
    },

    close() {
      const s = server;
      if (s === null) return Promise.resolve();
      server = null;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => s.closeAllConnections(), CLOSE_GRACE_MS);
        timer.unref();
        s.close(() => {
          clearTimeout(timer);
          resolve();
        });
        s.closeIdleConnections();
      });
    },

    issuedSecrets: () => store.issuedSecrets(),
    tokenCount: () => store.size,
    live: instance.account,
  };
}
