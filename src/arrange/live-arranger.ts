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
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, type LiveCredentials, type SuiteConfig } from '../config/env.ts';
import { Pacer } from '../engine/pacer.ts';
import type { RequestGuard } from '../engine/run-scenario.ts';
import type { RequestBody } from '../engine/exchange.ts';
import type { StateName } from '../protocol/provider-states.ts';
import { regenerateSecret } from '../operations/regenerate-secret/index.ts';
import { refOf } from '../operations/types.ts';
import type { SecretRegistry } from '../model/redact.ts';
import {
  ArrangementInconclusiveError,
  NotArrangedError,
  StateSkippedError,
  type Availability,
  type StateAnswer,
  type StateArranger,
} from './arranger.ts';
import { isObject, parseJsonOrUndefined } from '../model/json.ts';
import { describeFetchError } from '../engine/fetch-error.ts';

/** Every throwaway token's name starts with this; `npm run cleanup` deletes by it. */
export const THROWAWAY_PREFIX = 'conformance-suite-';
/** Set by the global setup; every worker names its tokens with it. */
export const RUN_ID_VARIABLE = 'CONFORMANCE_RUN_ID';
/** Networks reserved for documentation (RFC 5737): no real caller is in them. */
export const DOCUMENTATION_NETWORK = '192.0.2.0/24';
/** Made-up ids the suite sends (unknown ids): they name no real token. */
const MADE_UP_ID = /^conformance-/;

/** A new run id: UTC time to the second and 6 random hex digits, e.g. 20250101T120000-a1b2c3. */
export function newRunId(date = new Date()): string {
  return `${date.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

export const runPrefix = (runId: string): string => `${THROWAWAY_PREFIX}${runId}-`;

// ------------------------------------------------------------------ the API client

/** A token as the token-management operations answer it. */
export interface LiveToken {
  id: string;
  name?: string;
  organization_id?: string | null;
  authorized_ip_addresses?: string[];
  expires_at?: number | null;
  rate_limit?: number;
  scopes?: string[];
  secret?: string | null;
  [field: string]: unknown;
}

export interface TokenProperties {
  name: string;
  scopes: string[];
  authorized_ip_addresses: string[];
  expires_at: number | null;
}

/** A refusal or failure of a token-management call; the message is already redacted. */
export class LiveApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
    /** Server time from the answer's Date header (ms), when there was one. */
    readonly serverTime?: number,
  ) {
    super(message);
    this.name = 'LiveApiError';
  }
}

interface Answer {
  status: number;
  json: unknown;
  text: string;
  serverTime?: number;
  retryAfterMs?: number;
}


/** The error object of a body in either envelope. */
export function errorOf(body: unknown): { code?: string; description?: string; detail?: unknown } | undefined {
  if (!isObject(body)) return undefined;
  const inner = isObject(body.error) && !('code' in body) ? body.error : body;
  return { code: typeof inner.code === 'string' ? inner.code : undefined, description: typeof inner.description === 'string' ? inner.description : undefined, detail: inner.detail };
}

export interface LiveApiOptions {
  baseUrl: string;
  credentials: LiveCredentials;
  timeoutMs: number;
  secrets: SecretRegistry;
  pacer?: Pacer;
  /** How often a 429 or a transport failure of a management call is retried (default 3). */
  retries?: number;
}

/** The vendor's token-management operations, called with the configured token. */
export class LiveApi {
  readonly organizationLabel: string;
  private readonly lookup: { id: string } | { sub_domain: string };

  constructor(private readonly o: LiveApiOptions) {
    const org = o.credentials.organization;
    // Katapult organization ids look like org_xxxxxxxxxxxxxxxx; anything else is a sub-domain.
    this.lookup = /^org_[A-Za-z0-9]+$/.test(org) ? { id: org } : { sub_domain: org };
    this.organizationLabel = 'id' in this.lookup ? `organization id ${org}` : `organization sub-domain ${org}`;
  }

  private url(path: string): string {
    return `${this.o.baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  }

  private async once(method: string, path: string, body?: unknown): Promise<Answer> {
    await this.o.pacer?.wait();
    const headers: Record<string, string> = { Authorization: `Bearer ${this.o.credentials.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs),
        redirect: 'manual',
      });
    } catch (e) {
      throw new LiveApiError(`${method} ${path.split('?')[0]}: no answer (${describeFetchError(e, this.o.timeoutMs)})`);
    }
    const text = await res.text();
    const json = parseJsonOrUndefined(text);
    // Register before anything can print it: a create answer carries a secret.
    if (isObject(json) && isObject(json.api_token)) this.o.secrets.add(json.api_token.secret);
    const date = Date.parse(res.headers.get('date') ?? '');
    const retryAfter = Number(res.headers.get('retry-after'));
    return { status: res.status, json, text, serverTime: Number.isNaN(date) ? undefined : date, retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : undefined };
  }

  /** One call, retried on 429 and transport failures (bounded); throws LiveApiError unless 2xx. */
  private async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const retries = this.o.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      let a: Answer;
      try {
        a = await this.once(method, path, body);
      } catch (e) {
        if (attempt >= retries) throw e;
        await sleep(500 * (attempt + 1));
        continue;
      }
      if (a.status >= 200 && a.status < 300) return a;
      if (a.status === 429 && attempt < retries) {
        await sleep(Math.min(a.retryAfterMs ?? 1000 * (attempt + 1), 10_000));
        continue;
      }
      const err = errorOf(a.json);
      const excerpt = a.text.length > 200 ? `${a.text.slice(0, 200)}…` : a.text;
      const what = err?.code ? `${a.status} ${err.code}${err.description ? `: ${err.description}` : ''}` : `HTTP ${a.status}${excerpt ? ` (${excerpt})` : ''}`;
      throw new LiveApiError(this.o.secrets.redactText(`${method} ${path.split('?')[0]} answered ${what}`), a.status, err?.code, a.serverTime);
    }
  }

  private orgQuery(): string {
    return 'id' in this.lookup ? `organization[id]=${encodeURIComponent(this.lookup.id)}` : `organization[sub_domain]=${encodeURIComponent(this.lookup.sub_domain)}`;
  }

  /** Every token of the organization (all pages). */
  async list(): Promise<LiveToken[]> {
    const out: LiveToken[] = [];
    for (let page = 1; page <= 1000; page++) {
      const a = await this.call('GET', `organizations/organization/api_tokens?${this.orgQuery()}&page=${page}&per_page=100`);
      const body = a.json as { api_tokens?: unknown; pagination?: { total_pages?: unknown } } | undefined;
      if (!isObject(body) || !Array.isArray(body.api_tokens)) throw new LiveApiError('the token list answered without an "api_tokens" array', a.status);
      for (const t of body.api_tokens) if (isObject(t) && typeof t.id === 'string') out.push(t as LiveToken);
      const total = body.pagination?.total_pages;
      if (typeof total !== 'number' || page >= total || body.api_tokens.length === 0) break;
    }
    return out;
  }

  /** Creates a token; answers it with its secret and the server's time. */
  async create(properties: TokenProperties): Promise<{ token: LiveToken & { secret: string }; serverTime?: number }> {
    const a = await this.call('POST', 'organizations/organization/api_tokens', { organization: this.lookup, properties });
    const token = isObject(a.json) ? a.json.api_token : undefined;
    if (!isObject(token) || typeof token.id !== 'string' || typeof token.secret !== 'string' || token.secret === '') {
      // It may have been created all the same: the caller's sweep by name finds it.
      throw new LiveApiError('creating a token answered without an api_token carrying an id and a secret', a.status);
    }
    return { token: token as LiveToken & { secret: string }, serverTime: a.serverTime };
  }

  /** Deletes a token by id; a token that is already gone counts as deleted. */
  async delete(id: string): Promise<'deleted' | 'absent'> {
    try {
      await this.call('DELETE', 'api_tokens/api_token', { api_token: { id } });
      return 'deleted';
    } catch (e) {
      if (e instanceof LiveApiError && e.status === 404 && e.code === 'api_token_not_found') return 'absent';
      throw e;
    }
  }

  /** Deletes every token whose name starts with `prefix`; answers what was deleted and what could not be. */
  async deleteByPrefix(prefix: string, dryRun = false): Promise<{ deleted: LiveToken[]; failed: { token: LiveToken; error: string }[] }> {
    if (!prefix.startsWith(THROWAWAY_PREFIX)) throw new Error(`refusing to delete by a prefix other than ${THROWAWAY_PREFIX}…`);
    const deleted: LiveToken[] = [];
    const failed: { token: LiveToken; error: string }[] = [];
    for (const token of await this.list()) {
      if (typeof token.name !== 'string' || !token.name.startsWith(prefix)) continue;
      if (dryRun) {
        deleted.push(token);
        continue;
      }
      try {
        await this.delete(token.id);
        deleted.push(token);
      } catch (e) {
        failed.push({ token, error: (e as Error).message });
      }
    }
    return { deleted, failed };
  }
}

// ------------------------------------------------------------------ the arranger

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

/** The longest the opt-in burst may run. */
export const BURST_MAX_MS = 60_000;

const burstReason = (max: number) =>
  `the rate-limit burst is opt-in: set LIVE_RATE_LIMIT_BURST=true to run it (a throwaway token sends at most ${max} requests, LIVE_RATE_LIMIT_BURST_MAX, stopping at the first 429)`;

/** A token as stored: what the create answered, without its secret. */
function stored(token: LiveToken): StateAnswer['api_token'] {
  const { secret: _secret, ...rest } = token;
  return rest as StateAnswer['api_token'];
}

/** The id in a request body, if it names one. */
function idIn(body: RequestBody): unknown {
  let value: unknown;
  if (body.kind === 'json') value = body.value;
  else if (body.kind === 'raw') {
    try {
      value = JSON.parse(body.text);
    } catch {
      return undefined;
    }
  } else return undefined;
  return isObject(value) && isObject(value.api_token) ? value.api_token.id : undefined;
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
  }

  /** Paces the scenario's requests like the arranger's own. */
  readonly pace = (): Promise<void> => this.o.pacer.wait();

  /**
   * Refuses, before it is sent, any request that could regenerate the secret
   * of a token this run did not create: one carrying the configured token, or
   * naming an id that is neither a throwaway of this arranger nor made up.
   */
  readonly guard: RequestGuard = ({ auth, body }) => {
    const configured = this.o.credentials.token;
    if ((auth.kind === 'bearer' && auth.secret === configured) || (auth.kind === 'raw' && auth.value.includes(configured))) {
      return 'the configured KATAPULT_API_TOKEN is never sent to regenerate_secret: the suite must not regenerate the secret of the token it was given';
    }
    const id = idIn(body);
    if (typeof id === 'string' && !this.alive.has(id) && !MADE_UP_ID.test(id)) {
      return `token ${id} is not a throwaway token this run created; the suite regenerates no other token's secret`;
    }
    return undefined;
  };

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
    const url = `${this.o.baseUrl.replace(/\/+$/, '')}/${regenerateSecret.request.path(null)}`;
    let sent = 0;
    let hit: { totalPermitted?: unknown } | undefined;
    let problem: string | undefined;
    const worker = async () => {
      while (!hit && !problem && sent < bound && performance.now() < deadline) {
        sent++;
        const body = { kind: 'json' as const, value: { api_token: { id: `conformance-missing-${randomUUID()}` } } };
        const refusal = this.guard({ auth: { kind: 'bearer', secret: token.secret }, body, operation: refOf(regenerateSecret) });
        if (refusal) {
          problem = refusal;
          return;
        }
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token.secret}`, 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify(body.value),
            signal: AbortSignal.timeout(this.o.timeoutMs),
            redirect: 'manual',
          });
          const json = parseJsonOrUndefined(await res.text());
          const err = errorOf(json);
          if (res.status === 429 && err?.code === 'rate_limit_reached') {
            hit ??= { totalPermitted: isObject(err.detail) ? err.detail.total_permitted : undefined };
          } else if (res.status !== 404) {
            problem ??= `request ${sent} of the burst answered ${res.status}${err?.code ? ` ${err.code}` : ''} instead of 404 api_token_not_found or 429`;
          }
        } catch (e) {
          problem ??= `request ${sent} of the burst got no answer (${(e as Error).message})`;
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
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

// ------------------------------------------------------------------ the run (global setup / teardown)

/** A refused token list at the start of a run, as one configuration sentence. */
function describeListFailure(e: unknown, baseUrl: string, organization: string): ConfigError {
  const err = e as LiveApiError;
  const msg = err.message;
  if (err.status === undefined) return new ConfigError(`live mode: BASE_URL=${baseUrl} did not answer the token list (${msg})`);
  if (err.code === 'organization_not_found')
    return new ConfigError(`KATAPULT_ORGANIZATION="${organization}": the deployment knows no such organization (${msg}); give the organization's id (org_…) or its sub-domain`);
  if (err.code === 'missing_api_token' || err.code === 'invalid_api_token')
    return new ConfigError(`KATAPULT_API_TOKEN was refused by the deployment (${msg}); check the token and that it has not expired`);
  if (err.status === 403)
    return new ConfigError(`KATAPULT_API_TOKEN may not list the API tokens of KATAPULT_ORGANIZATION="${organization}" (${msg}); live mode needs a token with the api_tokens scope in that organization`);
  if (err.status === 429) return new ConfigError(`live mode: the deployment is already rate-limiting KATAPULT_API_TOKEN (${msg}); wait for the window to pass and run again`);
  if (err.status === 404)
    return new ConfigError(`live mode: BASE_URL=${baseUrl} does not serve the token-management operations (${msg}); BASE_URL must be the API base including /core/v1`);
  return new ConfigError(`live mode: the token list at the start of the run failed (${msg})`);
}

/**
 * Global setup of a live run: names the run, checks the credentials with the
 * token list, and answers the global teardown, which deletes this run's
 * leftovers by name (Playwright runs it also after Ctrl-C).
 */
export async function prepareLiveRun(
  config: SuiteConfig & { baseUrl: string; live: LiveCredentials },
  secrets: SecretRegistry,
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  env: NodeJS.ProcessEnv = process.env,
): Promise<() => Promise<void>> {
  const runId = env[RUN_ID_VARIABLE] || newRunId();
  env[RUN_ID_VARIABLE] = runId;
  secrets.add(config.live.token);
  const api = new LiveApi({ baseUrl: config.baseUrl, credentials: config.live, timeoutMs: config.requestTimeoutMs, secrets, pacer: new Pacer(config.liveRequestsPerSecond) });
  let tokens: LiveToken[];
  try {
    tokens = await api.list();
  } catch (e) {
    throw describeListFailure(e, config.baseUrl, config.live.organization);
  }
  const prefix = runPrefix(runId);
  const earlier = tokens.filter((t) => typeof t.name === 'string' && t.name.startsWith(THROWAWAY_PREFIX)).length;
  log(`Live mode: ${api.organizationLabel}; throwaway tokens of this run are named ${prefix}… and deleted after their scenario.`);
  if (earlier) log(`Live mode: ${earlier} throwaway token(s) of earlier runs (named ${THROWAWAY_PREFIX}…) are still in the organization; "npm run cleanup" deletes them.`);
  return async () => {
    let result;
    try {
      result = await api.deleteByPrefix(prefix);
    } catch (e) {
      throw new Error(`live mode: the end-of-run sweep of this run's throwaway tokens failed (${(e as Error).message}); run "npm run cleanup" to delete tokens named ${prefix}…`);
    }
    if (result.deleted.length) log(`Live mode: deleted ${result.deleted.length} leftover throwaway token(s) of this run.`);
    if (result.failed.length) {
      throw new Error(`live mode: ${result.failed.length} throwaway token(s) of this run could not be deleted (${result.failed[0]!.error}); run "npm run cleanup"`);
    }
  };
}
