/**
 * Live mode: states are arranged against a real deployment through the API
 * itself (the vendor's token-management operations), with throwaway tokens
 * that are always deleted again.
 *
 * Safety, in code:
 * - every throwaway token is named `conformance-suite-<run id>-<state>-<random>`
 *   and expires by itself within an hour; it is deleted after its scenario
 *   (also when the scenario fails), whatever a worker still holds is deleted
 *   when the worker ends, the global teardown deletes this run's leftovers by
 *   name (also after Ctrl-C), and `npm run cleanup` deletes any run's;
 * - the guard refuses, before anything is sent, any request to
 *   regenerate_secret that carries the configured KATAPULT_API_TOKEN or that
 *   names a token id this run did not create: the suite can never regenerate
 *   the secret of the token it was given, nor of any other existing token;
 * - every request of the suite to the deployment is paced (Pacer); only the
 *   opt-in rate-limit burst is not, and it is bounded and stops at the first 429.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveCredentials, SuiteConfig } from '../config/env.ts';
import { Pacer } from '../engine/pacer.ts';
import type { RequestGuard } from '../engine/run-scenario.ts';
import type { StateName } from '../protocol/provider-states.ts';
import type { SecretRegistry } from '../model/redact.ts';
import {
  ArrangementInconclusiveError,
  NotArrangedError,
  StateSkippedError,
  type Availability,
  type StateAnswer,
  type StateArranger,
} from './arranger.ts';
import { LiveApi, LiveApiError, type LiveToken, type TokenProperties } from './live-api.ts';
import { newRunId, RUN_ID_VARIABLE, runPrefix } from './live-names.ts';
import { throwawayGuard } from './live-guard.ts';
import { BURST_MAX_MS, burstReason, runBurst } from './live-burst.ts';

/** Networks reserved for documentation (RFC 5737): no real caller is in them. */
export const DOCUMENTATION_NETWORK = '192.0.2.0/24';

export interface LiveArrangerOptions {
  baseUrl: string;
  credentials: LiveCredentials;
  secrets: SecretRegistry;
  timeoutMs: number;
  pacer: Pacer;
  runId: string;
  /** LIVE_RATE_LIMIT_BURST: run the rate-limit burst. */
  burst: boolean;
  /** LIVE_RATE_LIMIT_BURST_MAX: most requests of the burst. */
  burstMax: number;
  /** Lifetime of the token_expired token, seconds (default 2). */
  expiryLifetimeSeconds?: number;
  /** Longest wait for it to expire, ms (default 15 000). */
  expiryMaxWaitMs?: number;
  /** Every throwaway token expires by itself after this many seconds (default 3600). */
  throwawayTtlSeconds?: number;
  /** Retries of a management call met with 429 or no answer (default 3). */
  retries?: number;
}

/** Why live mode cannot arrange a state: the reason a skipped scenario carries. */
export const LIVE_UNAVAILABLE: Partial<Record<StateName, string>> = {
  capabilities_token_invalid:
    'live mode cannot arrange "capabilities_token_invalid": the deployment\'s capabilities-token header is not documented, so the suite cannot present an invalid one; arrange it through a vendor mock\'s provider-state endpoint (STATE_URL)',
  permission_denied:
    'live mode cannot arrange "permission_denied": it needs a token in an organization that KATAPULT_API_TOKEN may not manage, and live mode works inside the one organization KATAPULT_ORGANIZATION; arrange it through a vendor mock\'s provider-state endpoint (STATE_URL)',
  validation_fails:
    'live mode cannot arrange "validation_fails": no token whose save fails validation can be created through the API; arrange it through a vendor mock\'s provider-state endpoint (STATE_URL)',
  service_unavailable:
    'live mode cannot arrange "service_unavailable": a real deployment cannot be made unavailable on demand; arrange it through a vendor mock\'s provider-state endpoint (STATE_URL)',
};

/** A token as stored: what the create answered, without its secret. */
function stored(token: LiveToken): StateAnswer['api_token'] {
  const { secret: _secret, ...rest } = token;
  return rest as StateAnswer['api_token'];
}

export class LiveArranger implements StateArranger {
  readonly description: string;
  readonly api: LiveApi;
  readonly prefix: string;
  /** Ids of the tokens this arranger created and has not deleted yet. */
  private readonly alive = new Set<string>();
  private readonly byInstance = new Map<string, string[]>();

  constructor(private readonly o: LiveArrangerOptions) {
    this.api = new LiveApi({ baseUrl: o.baseUrl, credentials: o.credentials, timeoutMs: o.timeoutMs, secrets: o.secrets, pacer: o.pacer, retries: o.retries });
    this.prefix = runPrefix(o.runId);
    this.description = `throwaway tokens named ${this.prefix}… created and deleted through the API (${this.api.organizationLabel})`;
    o.secrets.add(o.credentials.token);
    this.guard = throwawayGuard(o.credentials.token, (id) => this.alive.has(id));
  }

  /** Paces the scenario's requests like the arranger's own. */
  readonly pace = (): Promise<void> => this.o.pacer.wait();

  /**
   * Refuses, before it is sent, any request that could regenerate the secret
   * of a token this run did not create: one carrying the configured token, or
   * naming an id that is neither a throwaway of this arranger nor made up.
   */
  readonly guard: RequestGuard;

  /** The expiry wait and the burst are bounded, but longer than a few requests. */
  setupBudgetMs(state: StateName): number {
    if (state === 'token_expired') return (this.o.expiryMaxWaitMs ?? 15_000) + 5_000;
    if (state === 'rate_limit_reached') return BURST_MAX_MS + 5_000;
    return 0;
  }

  availability(state: StateName): Availability {
    const reason = LIVE_UNAVAILABLE[state];
    if (reason) return { ok: false, reason };
    if (state === 'rate_limit_reached' && !this.o.burst) return { ok: false, reason: burstReason(this.o.burstMax) };
    return { ok: true };
  }

  private name(state: StateName): string {
    return `${this.prefix}${state}-${randomBytes(3).toString('hex')}`;
  }

  private properties(state: StateName, extra: Partial<TokenProperties> = {}): TokenProperties {
    return {
      name: this.name(state),
      scopes: ['api_tokens'],
      authorized_ip_addresses: [],
      expires_at: Math.floor(Date.now() / 1000) + (this.o.throwawayTtlSeconds ?? 3600),
      ...extra,
    };
  }

  /** Creates a throwaway token for `instance`, recorded before anything else can fail. */
  private async create(state: StateName, instance: string, extra: Partial<TokenProperties> = {}) {
    let created;
    try {
      created = await this.api.create(this.properties(state, extra));
    } catch (e) {
      throw this.arrangementError(state, e, 'creating its throwaway token');
    }
    this.record(instance, created.token);
    return created;
  }

  private record(instance: string, token: LiveToken): void {
    this.alive.add(token.id);
    this.byInstance.set(instance, [...(this.byInstance.get(instance) ?? []), token.id]);
  }

  /** What a failed management call means for the scenario. */
  private arrangementError(state: StateName, e: unknown, doing: string): Error {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof LiveApiError && e.status === 429) {
      return new ArrangementInconclusiveError(`state "${state}": ${doing} met 429 rate_limit_reached even after retries (${message}); the deployment's shared rate limit spoiled this scenario`);
    }
    if (e instanceof LiveApiError && e.status === 403) {
      return new NotArrangedError(`state "${state}": ${doing} was refused (${message}); KATAPULT_API_TOKEN needs the api_tokens scope in ${this.api.organizationLabel}`);
    }
    return new NotArrangedError(`state "${state}": ${doing} failed (${message})`);
  }

  async setup(state: StateName, instance: string): Promise<StateAnswer> {
    const availability = this.availability(state);
    if (!availability.ok) throw new StateSkippedError(availability.reason);
    try {
      return await this.arrange(state, instance);
    } catch (e) {
      // Whatever was created for a setup that failed goes at once.
      await this.teardown(state, instance);
      throw e;
    }
  }

  private async arrange(state: StateName, instance: string): Promise<StateAnswer> {
    const answer = stored;
    switch (state) {
      case 'token_can_regenerate': {
        // The token regenerates itself: bearer and secret are the same.
        const { token } = await this.create(state, instance);
        return { bearer: token.secret, api_token: answer(token), secret: token.secret };
      }
      case 'scope_not_granted': {
        const { token } = await this.create(state, instance, { scopes: ['api_tokens:read'] });
        return { bearer: token.secret, api_token: answer(token) };
      }
      case 'network_not_authorized': {
        const { token } = await this.create(state, instance, { authorized_ip_addresses: [DOCUMENTATION_NETWORK] });
        return { bearer: token.secret, api_token: answer(token) };
      }
      case 'token_expired':
        return this.arrangeExpired(instance);
      case 'rate_limit_reached':
        return this.arrangeRateLimit(instance);
      default:
        throw new StateSkippedError(LIVE_UNAVAILABLE[state] ?? `live mode cannot arrange "${state}"`);
    }
  }

  /** A token that expires a couple of seconds after creation, and a bounded wait until it has. */
  private async arrangeExpired(instance: string): Promise<StateAnswer> {
    const state: StateName = 'token_expired';
    const lifetime = this.o.expiryLifetimeSeconds ?? 2;
    const maxWait = this.o.expiryMaxWaitMs ?? 15_000;
    let created;
    try {
      created = await this.api.create(this.properties(state, { expires_at: Math.floor(Date.now() / 1000) + lifetime }));
    } catch (e) {
      // A server whose clock is ahead may find our expiry already past: once more, by its clock.
      if (e instanceof LiveApiError && e.status === 422 && e.serverTime !== undefined) {
        try {
          created = await this.api.create(this.properties(state, { expires_at: Math.floor(e.serverTime / 1000) + lifetime + 1 }));
        } catch (again) {
          if (again instanceof LiveApiError && again.status === 422)
            throw new StateSkippedError(`live mode cannot arrange "token_expired": the deployment refused a token that expires within ${lifetime + 1} s (${again.message})`);
          throw this.arrangementError(state, again, 'creating its short-lived token');
        }
      } else if (e instanceof LiveApiError && e.status === 422) {
        throw new StateSkippedError(`live mode cannot arrange "token_expired": the deployment refused a token that expires within ${lifetime} s (${e.message})`);
      } else {
        throw this.arrangementError(state, e, 'creating its short-lived token');
      }
    }
    const { token, serverTime } = created;
    this.record(instance, token);
    if (typeof token.expires_at !== 'number') {
      throw new StateSkippedError(`live mode cannot arrange "token_expired": the deployment answered expires_at ${JSON.stringify(token.expires_at ?? null)} for a token asked to expire in ${lifetime} s`);
    }
    // The Date header has whole seconds: the server's now is up to 1 s later than it says.
    const serverNowMs = serverTime !== undefined ? serverTime : Date.now();
    const waitMs = Math.max(0, token.expires_at * 1000 - serverNowMs) + 1500;
    if (waitMs > maxWait) {
      throw new StateSkippedError(
        `live mode cannot arrange "token_expired" with a short wait: the token would expire in ${Math.round(waitMs / 1000)} s by the deployment's clock, more than the ${Math.round(maxWait / 1000)} s the suite waits`,
      );
    }
    await sleep(waitMs);
    return { bearer: token.secret, api_token: stored(token) };
  }

  /** The opt-in burst: a throwaway token calls the operation for an id that does not exist until the first 429. */
  private async arrangeRateLimit(instance: string): Promise<StateAnswer> {
    const state: StateName = 'rate_limit_reached';
    const { token } = await this.create(state, instance);
    const limit = typeof token.rate_limit === 'number' && Number.isInteger(token.rate_limit) && token.rate_limit > 0 ? token.rate_limit : undefined;
    // A window may restart during the burst: up to twice the limit, never more than the configured bound.
    const bound = Math.min(this.o.burstMax, limit !== undefined ? 2 * limit + 10 : this.o.burstMax);
    // Bounded in time as well as in count: a slow deployment stops the burst, not the test timeout.
    const deadline = performance.now() + BURST_MAX_MS;
    const { sent, hit, problem } = await runBurst({ baseUrl: this.o.baseUrl, secret: token.secret, bound, deadline, timeoutMs: this.o.timeoutMs, guard: this.guard });
    if (problem) throw new NotArrangedError(this.o.secrets.redactText(`state "${state}": ${problem}`));
    if (!hit) {
      throw new StateSkippedError(
        `live mode could not arrange "rate_limit_reached": no 429 after ${sent} requests from a throwaway token${limit !== undefined ? ` whose rate_limit is ${limit}` : ''} (the burst is bounded at ${bound} requests and ${BURST_MAX_MS / 1000} s; LIVE_RATE_LIMIT_BURST_MAX=${this.o.burstMax})`,
      );
    }
    const total = limit ?? (Number.isInteger(hit.totalPermitted) ? (hit.totalPermitted as number) : undefined);
    if (total === undefined) throw new NotArrangedError(`state "${state}": the token has no rate_limit and the 429 named no total_permitted`);
    return { bearer: token.secret, api_token: stored(token), total_permitted: total };
  }

  async teardown(_state: StateName, instance: string): Promise<string | undefined> {
    const ids = this.byInstance.get(instance) ?? [];
    this.byInstance.delete(instance);
    const problems: string[] = [];
    for (const id of ids) {
      try {
        await this.api.delete(id);
        this.alive.delete(id);
      } catch (e) {
        problems.push(`throwaway token ${id} could not be deleted (${(e as Error).message}); the end of the run retries, and npm run cleanup removes leftovers`);
      }
    }
    return problems.length ? problems.join('; ') : undefined;
  }

  async close(): Promise<void> {
    for (const id of [...this.alive]) {
      try {
        await this.api.delete(id);
        this.alive.delete(id);
      } catch {
        // The global teardown sweeps this run's leftovers by name.
      }
    }
  }
}

export function createLiveArranger(config: SuiteConfig & { baseUrl: string; live: LiveCredentials }, secrets: SecretRegistry, env: NodeJS.ProcessEnv = process.env): LiveArranger {
  return new LiveArranger({
    baseUrl: config.baseUrl,
    credentials: config.live,
    secrets,
    timeoutMs: config.requestTimeoutMs,
    pacer: new Pacer(config.liveRequestsPerSecond),
    runId: env[RUN_ID_VARIABLE] || newRunId(),
    burst: config.liveRateLimitBurst,
    burstMax: config.liveRateLimitBurstMax,
  });
}
