/**
 * The provider-state protocol of the contract (Pact-compatible envelope):
 *
 *   POST /_provider-states
 *   {"state": "<name>", "params": {"instance": "<unique id>"}, "action": "setup" | "teardown"}
 *
 * Setup creates fresh tokens (in fresh organizations) for one (state,
 * instance) and answers the values the suite needs; teardown removes exactly
 * what that setup created. Several instances coexist; a repeated setup of the
 * same (state, instance) replaces the previous one.
 */
import { INTERNAL_SERVER_ERROR, stateRequestError, type MockError } from './errors.ts';
import type { FaultFlags } from './faults.ts';
import { admits, buildAllowList, generateId, nowSeconds, type ApiTokenView, type Token, type TokenSpec, type TokenStore } from './store.ts';

export { STATE_NAMES, type StateName } from '../protocol/provider-states.ts';
import { STATE_NAMES, type StateName } from '../protocol/provider-states.ts';

import type { StateAnswer as ContractStateAnswer } from '../protocol/state-answer.ts';
export type StateAnswer = ContractStateAnswer<ApiTokenView>;

export interface StateResult {
  status: number;
  body: object;
}

/** Networks of the token to regenerate: loopback, plus the state caller's own address when it is not loopback. */
const LOOPBACK = ['127.0.0.0/8', '::1'];
const LOOPBACK_ALLOW = buildAllowList(LOOPBACK);
/** TEST-NET networks (RFC 5737) that no real caller uses. */
const FOREIGN_NETWORKS = ['192.0.2.0/24', '198.51.100.0/24'];

const THIRTY_DAYS = 30 * 24 * 3600;
const RATE_LIMIT_OF_LIMITED_TOKEN = 120;

interface SetupContext {
  instance: string;
  callerIp: string;
  make(spec: TokenSpec): Token;
}

type Builder = (ctx: SetupContext) => StateAnswer;

function targetNetworks(callerIp: string): string[] {
  return callerIp === '' || admits(LOOPBACK_ALLOW, callerIp) ? [...LOOPBACK] : [...LOOPBACK, callerIp];
}

/** A token the suite asks to regenerate, in `organization_id`. */
function target(ctx: SetupContext, organization_id: string, extra: Partial<TokenSpec> = {}): Token {
  return ctx.make({
    name: `Conformance target ${ctx.instance}`,
    organization_id,
    authorized_ip_addresses: targetNetworks(ctx.callerIp),
    expires_at: nowSeconds() + THIRTY_DAYS,
    rate_limit: 600,
    scopes: ['api_tokens', 'virtual_machines:read'],
    ...extra,
  });
}

/** A token that authenticates the suite's calls, in `organization_id`. */
function caller(ctx: SetupContext, organization_id: string, extra: Partial<TokenSpec> = {}): Token {
  return ctx.make({
    name: `Conformance caller ${ctx.instance}`,
    organization_id,
    authorized_ip_addresses: [],
    expires_at: null,
    rate_limit: 600,
    scopes: ['api_tokens'],
    ...extra,
  });
}

/** Bearer and target in one fresh organization; `callerExtra` shapes the bearer's token. */
function pair(ctx: SetupContext, callerExtra: Partial<TokenSpec> = {}, targetExtra: Partial<TokenSpec> = {}) {
  const org = generateId('org_');
  const bearer = caller(ctx, org, callerExtra);
  const token = target(ctx, org, targetExtra);
  return { bearer: bearer.secret, api_token: token.view(), bearerToken: bearer, token };
}

const BUILDERS: Record<StateName, Builder> = {
  token_can_regenerate(ctx) {
    const { bearer, api_token, token } = pair(ctx);
    return { bearer, api_token, secret: token.secret };
  },
  token_expired(ctx) {
    const { bearer, api_token } = pair(ctx, { expires_at: nowSeconds() - 3600 });
    return { bearer, api_token };
  },
  network_not_authorized(ctx) {
    const network = FOREIGN_NETWORKS.find((n) => !admits(buildAllowList([n]), ctx.callerIp)) ?? FOREIGN_NETWORKS[0]!;
    const { bearer, api_token } = pair(ctx, { authorized_ip_addresses: [network] });
    return { bearer, api_token };
  },
  capabilities_token_invalid(ctx) {
    const { bearer, api_token } = pair(ctx);
    return { bearer, api_token, headers: { 'X-Capabilities-Token': `invalid-capabilities-token.${generateId('')}` } };
  },
  scope_not_granted(ctx) {
    const { bearer, api_token } = pair(ctx, { scopes: ['api_tokens:read'] });
    return { bearer, api_token };
  },
  permission_denied(ctx) {
    const bearer = caller(ctx, generateId('org_'));
    const token = target(ctx, generateId('org_'));
    return { bearer: bearer.secret, api_token: token.view() };
  },
  validation_fails(ctx) {
    const { bearer, api_token } = pair(ctx, {}, { flags: { failValidation: true } });
    return { bearer, api_token };
  },
  rate_limit_reached(ctx) {
    const { bearer, api_token, bearerToken } = pair(ctx, {
      rate_limit: RATE_LIMIT_OF_LIMITED_TOKEN,
      flags: { rateLimited: true },
    });
    return { bearer, api_token, total_permitted: bearerToken.rate_limit };
  },
  service_unavailable(ctx) {
    const { bearer, api_token } = pair(ctx, { flags: { unavailable: true } });
    return { bearer, api_token };
  },
};

const STATE_REQUEST_EXAMPLE = { state: 'token_can_regenerate', params: { instance: 'unique-id' }, action: 'setup' };

const isStateName = (s: string): s is StateName => (STATE_NAMES as readonly string[]).includes(s);

const error = (e: MockError): StateResult => ({ status: e.status, body: e.body });

/** `String(v)`, or `[object Object]` where that throws (an object whose `toString` is no function, e.g. `{"toString": 1}`). */
function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

export class ProviderStates {
  /** (state, instance) -> the tokens its setup created. */
  private readonly instances = new Map<string, Token[]>();

  constructor(
    private readonly store: TokenStore,
    private readonly faults: Readonly<FaultFlags>,
  ) {}

  /** Number of arranged (state, instance) pairs. */
  get size(): number {
    return this.instances.size;
  }

  /** Handles one request body of the state endpoint. Never throws for bad input. */
  handle(raw: Buffer, callerIp: string): StateResult {
    let request: unknown;
    try {
      request = JSON.parse(raw.toString('utf8'));
    } catch {
      return error(stateRequestError('the body is not valid JSON', { expected: STATE_REQUEST_EXAMPLE }));
    }
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      return error(stateRequestError('the body must be a JSON object', { expected: STATE_REQUEST_EXAMPLE }));
    }
    const { state, params, action = 'setup' } = request as Record<string, unknown>;
    if (typeof state !== 'string' || state === '') {
      return error(stateRequestError('"state" is missing (a non-empty string)', { known_states: [...STATE_NAMES] }));
    }
    if (!isStateName(state)) {
      return error(
        stateRequestError(`unknown state ${JSON.stringify(state.slice(0, 100))}`, { known_states: [...STATE_NAMES] }),
      );
    }
    if (action !== 'setup' && action !== 'teardown') {
      return error(stateRequestError('"action" must be "setup" or "teardown"', { action: safeString(action).slice(0, 100) }));
    }
    const rawInstance = params !== null && typeof params === 'object' ? (params as Record<string, unknown>).instance : undefined;
    const instance =
      typeof rawInstance === 'string' ? rawInstance : typeof rawInstance === 'number' && Number.isFinite(rawInstance) ? String(rawInstance) : '';
    if (instance === '') {
      return error(stateRequestError('"params.instance" is missing (a non-empty string that identifies this arrangement)'));
    }
    const key = `${state}\u0000${instance}`;
    if (action === 'teardown') {
      this.teardown(key);
      return { status: 200, body: {} };
    }
    return this.setup(key, state, instance, callerIp);
  }

  /** Removes every token of every arrangement. */
  clear(): void {
    for (const key of [...this.instances.keys()]) this.teardown(key);
  }

  private setup(key: string, state: StateName, instance: string, callerIp: string): StateResult {
    this.teardown(key);
    if (this.faults.stateEndpoint500) return error(INTERNAL_SERVER_ERROR);
    const created: Token[] = [];
    const ctx: SetupContext = {
      instance: instance.slice(0, 100),
      callerIp,
      make: (spec) => {
        const token = this.store.create(spec);
        created.push(token);
        return token;
      },
    };
    try {
      const answer = BUILDERS[state](ctx);
      this.instances.set(key, created);
      if (this.faults.stateMissingBearer) delete (answer as { bearer?: string }).bearer;
      return { status: 200, body: answer };
    } catch (e) {
      for (const token of created) this.store.delete(token);
      throw e;
    }
  }

  private teardown(key: string): void {
    const tokens = this.instances.get(key);
    if (tokens === undefined) return;
    for (const token of tokens) this.store.delete(token);
    this.instances.delete(key);
  }
}
