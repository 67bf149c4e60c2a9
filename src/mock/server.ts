/**
 * The reference mock: a plain node:http server implementing
 * `POST {basePath}/api_tokens/api_token/regenerate_secret` as documented, and
 * the provider-state endpoint `POST /_provider-states` of the contract. The
 * `live` personality (personality.ts, live-personality.ts) adds the token-management
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
import type http from 'node:http';
import { answerAuthLayer, authLayerRoutes, type AuthLayerFaults } from './auth-layer.ts';
import { createAuthenticator } from './authenticate.ts';
import { BAD_INPUT, BODY_LIMIT_BYTES, createErrorRenderer, stateRequestError } from './errors.ts';
import { faultFlags, parseFaults, type FaultName } from './faults.ts';
import {
  ABORTED,
  createResponder,
  createServerLifecycle,
  normaliseBasePath,
  queryOf,
  readBody,
  TOO_LARGE,
  withResponseLog,
  type ResponseLogEntry,
} from './http.ts';
import type { LiveAccount, LiveOptions } from './live-personality.ts';
import { PERSONALITIES, PERSONALITY_NAMES, type PersonalityName } from './personality.ts';
import { ProviderStates } from './provider-state-endpoint.ts';
import { isToken, OPERATION_PATH, regenerateSecretHandler } from './regenerate-secret.ts';
import { Router } from './router.ts';
import { normaliseIp, TokenStore } from './store.ts';

export type { FaultName } from './faults.ts';
export { FAULTS, FAULT_NAMES } from './faults.ts';
export { STATE_NAMES, type StateName } from './provider-state-endpoint.ts';
export type { PersonalityName } from './personality.ts';
export type { LiveAccount, LiveOptions } from './live-personality.ts';
export { normaliseBasePath, type ResponseLogEntry } from './http.ts';
export { OPERATION_PATH } from './regenerate-secret.ts';

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
const STATE_BODY_LIMIT_BYTES = 64 * 1024;

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
  const instance = personality.instantiate({ store, faults: f, live: options.live ?? {} });
  const onInternalError =
    options.onInternalError ?? ((e: unknown) => process.stderr.write(`reference mock: internal error: ${e instanceof Error ? e.stack : String(e)}\n`));
  const respond = createResponder(createErrorRenderer(personality.errorRendering(f)), onInternalError);
  const { sendError, sendJson } = respond;
  const authenticate = createAuthenticator(store, f, instance.rateLimiter);

  // One route table: the operation, the provider states, a personality's routes (live: token management),
  // then the authentication layer of the documents' other operations (a route already served keeps its handler).
  const router = new Router();
  router.add('POST', basePath + OPERATION_PATH, regenerateSecretHandler({ store, faults: f, authenticate, respond, personality }));

  if (instance.providerStates) {
    router.add('POST', STATE_PATH, (req, res) =>
      readBody(req, STATE_BODY_LIMIT_BYTES).then((raw) => {
        if (raw === ABORTED) return;
        if (raw === TOO_LARGE) {
          const e = stateRequestError(`the body exceeds ${STATE_BODY_LIMIT_BYTES} bytes`);
          return sendJson(res, e.status, e.body);
        }
        const result = states.handle(raw, normaliseIp(req.socket?.remoteAddress));
        sendJson(res, result.status, result.body);
      }),
    );
  }

  for (const [path, methods] of instance.routes) {
    for (const [method, route] of methods) {
      router.add(method, basePath + path, (req, res) => {
        const caller = authenticate(req, route.scopes);
        if (!isToken(caller)) return sendError(res, caller);
        return readBody(req, BODY_LIMIT_BYTES).then((raw) => {
          if (raw === ABORTED) return;
          if (raw === TOO_LARGE) return sendError(res, BAD_INPUT.tooLarge);
          const out = route.handle({ store, caller, body: raw, query: queryOf(req.url) });
          if ('json' in out) sendJson(res, out.status, out.json);
          else sendError(res, out);
        });
      });
    }
  }

  if (options.specsDir !== undefined) {
    for (const [path, methods] of authLayerRoutes(options.specsDir, options.authLayerFaults)) {
      for (const [method, route] of methods) {
        if (router.has(method, basePath + path)) continue;
        router.add(method, basePath + path, (req, res) => {
          const answer = answerAuthLayer(req, route.operation, route.faults, authenticate);
          if ('json' in answer) sendJson(res, answer.status, answer.json);
          else sendError(res, answer);
        });
      }
    }
  }

  const core = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    try {
      router.dispatch(req, res, respond);
    } catch (e) {
      respond.fail(res, e);
    }
  };
  const handler: Mock['handler'] = withResponseLog(core, options.onResponse, onInternalError);
  const server = createServerLifecycle(handler);

  return {
    handler,
    listen: (port = 0, host = '127.0.0.1') =>
      server.listen(port, host).then((origin) => ({ origin, baseUrl: origin + basePath, stateUrl: origin + STATE_PATH })),
    close: () => server.close(),
    issuedSecrets: () => store.issuedSecrets(),
    tokenCount: () => store.size,
    live: instance.account,
  };
}
