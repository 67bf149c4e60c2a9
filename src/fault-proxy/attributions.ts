/**
 * Which provider state a request belongs to, as the fault proxy learns it
 * from the traffic it forwards: the bearer and secret a state setup answered,
 * and the secret a regeneration answered for such a bearer, until that
 * (state, instance) is torn down. The `state=` and `scenario=` scopes select
 * requests by it.
 */
import type http from 'node:http';
import { isObject, parseJsonOrUndefined } from '../model/json.ts';

export interface Attribution {
  state: string;
  instance: string;
}

const MAX_ATTRIBUTIONS = 20_000;

const parseJson = (buf: Buffer): unknown => parseJsonOrUndefined(buf.toString('utf8'));

/** The bearer secret of a request's Authorization header, if any. */
export function bearerOf(req: http.IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1];
}

export class Attributions {
  /** bearer / secret -> the state setup it came from (oldest first, at most MAX_ATTRIBUTIONS). */
  private readonly bySecret = new Map<string, Attribution>();

  constructor(private readonly statePath: string) {}

  get(secret: string): Attribution | undefined {
    return this.bySecret.get(secret);
  }

  /** Learns from one forwarded exchange (`attribution`: the request's own, if any). */
  learn(path: string, isState: boolean, requestBody: Buffer, attribution: Attribution | undefined, status: number, responseBody: Buffer): void {
    if (isState) {
      const msg = parseJson(requestBody);
      if (!isObject(msg) || typeof msg.state !== 'string') return;
      // As the mock reads it: a string or a number (String() of an object can throw: {"toString": 1}).
      const raw = isObject(msg.params) ? msg.params.instance : undefined;
      const instance = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
      const a = { state: msg.state, instance };
      if (msg.action === 'teardown') {
        for (const [secret, at] of this.bySecret) if (at.instance === instance && at.state === msg.state) this.bySecret.delete(secret);
        return;
      }
      // The suite takes any 2xx as an answer; so does the proxy.
      if (status < 200 || status > 299) return;
      const answer = parseJson(responseBody);
      if (!isObject(answer)) return;
      this.remember(answer.bearer, a);
      this.remember(answer.secret, a);
      return;
    }
    if (attribution === undefined || status < 200 || status > 299 || path === this.statePath) return;
    const answer = parseJson(responseBody);
    if (isObject(answer) && isObject(answer.api_token)) this.remember(answer.api_token.secret, attribution);
  }

  private remember(secret: unknown, a: Attribution): void {
    if (typeof secret !== 'string' || secret === '') return;
    this.bySecret.delete(secret);
    this.bySecret.set(secret, a);
    if (this.bySecret.size > MAX_ATTRIBUTIONS) this.bySecret.delete(this.bySecret.keys().next().value!);
  }
}
