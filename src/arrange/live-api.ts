/**
 * The vendor's token-management operations (list, create, delete), called
 * with the configured KATAPULT_API_TOKEN: what live mode arranges states
 * with. Every call is paced (Pacer) and retried, bounded, on 429 or no
 * answer (a management call, never the operation under test); a refusal is a
 * LiveApiError whose message is already redacted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveCredentials } from '../config/env.ts';
import type { Pacer } from '../engine/pacer.ts';
import { noAnswerWords, sendHttp, type HttpAnswer } from '../engine/http-sender.ts';
import { errorOf } from '../checks/error-body.ts';
import type { SecretRegistry } from '../model/redact.ts';
import { isObject, parseJsonOrUndefined } from '../model/json.ts';
import { THROWAWAY_PREFIX } from './live-names.ts';

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
    let res: HttpAnswer;
    try {
      res = await sendHttp({ method, url: this.url(path), headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: this.o.timeoutMs });
    } catch (e) {
      throw new LiveApiError(`${method} ${path.split('?')[0]}: no answer (${noAnswerWords(e, this.o.timeoutMs)})`);
    }
    const text = res.text;
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
