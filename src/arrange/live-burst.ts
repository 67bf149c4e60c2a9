/**
 * The opt-in rate-limit burst of live mode: a throwaway token calls
 * regenerate_secret for ids that do not exist (404 api_token_not_found) from
 * four concurrent senders until the first 429, bounded in count and time.
 * Every request passes the safety guard first; none is paced or retried.
 */
import { randomUUID } from 'node:crypto';
import type { RequestGuard } from '../engine/run-scenario.ts';
import { HttpSendError, sendHttp } from '../engine/http-sender.ts';
import { regenerateSecret } from '../operations/regenerate-secret/index.ts';
import { refOf } from '../operations/types.ts';
import { errorOf } from '../checks/error-body.ts';
import { isObject, parseJsonOrUndefined } from '../model/json.ts';

/** The longest the opt-in burst may run. */
export const BURST_MAX_MS = 60_000;

export const burstReason = (max: number) =>
  `the rate-limit burst is opt-in: set LIVE_RATE_LIMIT_BURST=true to run it (a throwaway token sends at most ${max} requests, LIVE_RATE_LIMIT_BURST_MAX, stopping at the first 429)`;

export interface BurstOptions {
  baseUrl: string;
  /** The throwaway token's secret, sent as bearer. */
  secret: string;
  /** Most requests in all. */
  bound: number;
  /** performance.now() after which no request starts. */
  deadline: number;
  timeoutMs: number;
  guard: RequestGuard;
}

export interface BurstResult {
  sent: number;
  /** The first 429 rate_limit_reached, with the total_permitted its detail named. */
  hit?: { totalPermitted?: unknown };
  /** What went wrong instead (unredacted). */
  problem?: string;
}

export async function runBurst(o: BurstOptions): Promise<BurstResult> {
  const url = `${o.baseUrl.replace(/\/+$/, '')}/${regenerateSecret.request.path(null)}`;
  let sent = 0;
  let hit: { totalPermitted?: unknown } | undefined;
  let problem: string | undefined;
  const worker = async () => {
    while (!hit && !problem && sent < o.bound && performance.now() < o.deadline) {
      sent++;
      const body = { kind: 'json' as const, value: { api_token: { id: `conformance-missing-${randomUUID()}` } } };
      const refusal = o.guard({ auth: { kind: 'bearer', secret: o.secret }, body, operation: refOf(regenerateSecret) });
      if (refusal) {
        problem = refusal;
        return;
      }
      try {
        const res = await sendHttp({
          method: 'POST',
          url,
          headers: { Authorization: `Bearer ${o.secret}`, 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(body.value),
          timeoutMs: o.timeoutMs,
        });
        const json = parseJsonOrUndefined(res.text);
        const err = errorOf(json);
        if (res.status === 429 && err?.code === 'rate_limit_reached') {
          hit ??= { totalPermitted: isObject(err.detail) ? err.detail.total_permitted : undefined };
        } else if (res.status !== 404) {
          problem ??= `request ${sent} of the burst answered ${res.status}${err?.code ? ` ${err.code}` : ''} instead of 404 api_token_not_found or 429`;
        }
      } catch (e) {
        problem ??= `request ${sent} of the burst got no answer (${((e instanceof HttpSendError ? e.reason : e) as Error).message})`;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { sent, hit, problem };
}
