/**
 * The authentication layer of every operation of the mock's documents (the
 * OpenAPI documents under its specs folder), for the operations the mock does
 * not implement itself: the same judgement as the implemented operation
 * (400 missing_api_token, 403 invalid_api_token / network / capabilities, 503
 * and 429 from the token's flags, 403 scope_not_granted against THIS
 * operation's documented scopes), so the provider-state tokens work across
 * operations. A call that passes the layer is answered 503
 * service_unavailable, which every operation documents: the mock does not
 * implement the operation behind it.
 *
 * Per-operation faults break the layer on chosen operations only, so that a
 * proof test can show the suite failing exactly those operations' scenarios.
 */
import type http from 'node:http';
import type { AuthLayerOperation } from '../sweep/operations.ts';
import { loadAuthLayerOperations } from '../sweep/load.ts';
import type { Authenticate } from './authenticate.ts';
import { DESCRIPTIONS, scopeNotGranted, type MockError } from './errors.ts';
import { Token } from './store.ts';

export const AUTH_LAYER_FAULTS = {
  'missing-auth-accepted': 'a request without Authorization is served (200 {}) instead of 400 missing_api_token',
  'missing-auth-401': 'a request without Authorization, or with a non-Bearer scheme, is answered 401 instead of 400 missing_api_token',
  'scope-ignored': 'the operation\'s documented scopes are not checked: a token without them passes the layer',
  'wrong-403-variant': 'an unknown bearer is answered 403 scope_not_granted instead of invalid_api_token',
} as const;

export type AuthLayerFault = keyof typeof AUTH_LAYER_FAULTS;
export const AUTH_LAYER_FAULT_NAMES = Object.keys(AUTH_LAYER_FAULTS) as AuthLayerFault[];

/** operationId -> the faults of its layer. */
export type AuthLayerFaults = Readonly<Record<string, readonly AuthLayerFault[]>>;

/** The operation exists, but the mock implements only its authentication layer. */
export const NOT_IMPLEMENTED = Object.freeze({
  status: 503,
  body: Object.freeze({ code: 'service_unavailable', description: DESCRIPTIONS.service_unavailable, detail: Object.freeze({}) }),
}) as MockError;

const UNAUTHORIZED_401: MockError = Object.freeze({
  status: 401,
  body: Object.freeze({ code: 'unauthorized', description: 'Authentication is required', detail: Object.freeze({}) }),
}) as MockError;

/** What an answer of the layer is: an error to render, or a JSON success (only under a fault). */
export type AuthLayerAnswer = MockError | { status: number; json: object };

const isBearer = (header: string) => /^bearer\s+\S/i.test(header);

export function answerAuthLayer(req: http.IncomingMessage, op: AuthLayerOperation, faults: ReadonlySet<AuthLayerFault>, authenticate: Authenticate): AuthLayerAnswer {
  const header = req.headers.authorization;
  if (header === undefined && faults.has('missing-auth-accepted')) return { status: 200, json: {} };
  if (faults.has('missing-auth-401') && (header === undefined || !isBearer(header))) return UNAUTHORIZED_401;
  const caller = authenticate(req, faults.has('scope-ignored') ? [] : op.scopes);
  if (caller instanceof Token) return NOT_IMPLEMENTED;
  if (faults.has('wrong-403-variant') && caller.body.code === 'invalid_api_token') return scopeNotGranted(op.scopes.length > 0 ? op.scopes : ['api_tokens']);
  return caller;
}

export interface AuthLayerRoute {
  operation: AuthLayerOperation;
  faults: ReadonlySet<AuthLayerFault>;
}

/**
 * path (below the base path) -> method -> route (server.ts adds each to its route table), for every operation of the
 * documents under `specsDir`. Unknown operation ids or fault names in `faults`
 * are refused, so a proof test cannot break nothing by a typo.
 */
export function authLayerRoutes(specsDir: string, faults: AuthLayerFaults = {}): Map<string, Map<string, AuthLayerRoute>> {
  const ops = loadAuthLayerOperations(specsDir);
  const known = new Set(ops.map((o) => o.id));
  for (const [id, names] of Object.entries(faults)) {
    if (!known.has(id)) throw new Error(`auth-layer fault on unknown operation ${JSON.stringify(id)}`);
    for (const n of names) if (!(n in AUTH_LAYER_FAULTS)) throw new Error(`unknown auth-layer fault ${JSON.stringify(n)}; known: ${AUTH_LAYER_FAULT_NAMES.join(', ')}`);
  }
  const routes = new Map<string, Map<string, AuthLayerRoute>>();
  for (const op of ops) {
    if (!op.authenticator400) continue;
    const byMethod = routes.get(op.path) ?? new Map<string, AuthLayerRoute>();
    byMethod.set(op.method, { operation: op, faults: new Set(faults[op.id] ?? []) });
    routes.set(op.path, byMethod);
  }
  return routes;
}
