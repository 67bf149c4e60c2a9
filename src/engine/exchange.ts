/**
 * One request and its response, as the checks see it. The raw response text
 * stays in memory for the checks (the leak check needs it); `toRecord`
 * produces the redacted form that may be written anywhere.
 */
import type { APIRequestContext } from '@playwright/test';
import type { SecretRegistry } from '../report/redact.ts';

export type Auth = { kind: 'none' } | { kind: 'bearer'; secret: string } | { kind: 'raw'; value: string };

export type RequestBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string }
  | { kind: 'empty' }
  | { kind: 'none' };

export interface RequestPlan {
  /** Which request of the scenario this is ("regenerate", "follow-up with the old secret", ...). */
  label: string;
  auth: Auth;
  headers?: Record<string, string>;
  body: RequestBody;
}

export interface ResponseData {
  status: number;
  headers: Record<string, string>;
  text: string;
  json?: unknown;
  /** Why the body is not JSON, when it is not. */
  jsonError?: string;
  /** Set when the body was larger than the suite reads (MAX_RESPONSE_BYTES): it was not read, `text` is empty. */
  oversize?: { bytes: number; limit: number };
}

export interface Exchange {
  label: string;
  method: 'POST';
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  response?: ResponseData;
  /** Set when no HTTP response came back (refused, reset, timed out). */
  transportError?: string;
  durationMs: number;
}

/** The redacted, size-bounded form of an exchange that reports may carry. */
export interface ExchangeRecord {
  label: string;
  request: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  transportError?: string;
  durationMs: number;
}

const RECORDED_BODY_LIMIT = 4096;
/**
 * The largest response body the suite reads. Every documented answer is a few
 * hundred bytes; a bigger one is judged by its size alone, so that a target
 * sending megabytes can neither exhaust memory nor bloat the reports.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

function clip(text: string): string {
  return text.length > RECORDED_BODY_LIMIT ? `${text.slice(0, RECORDED_BODY_LIMIT)}… (${text.length} characters in all)` : text;
}

export function toRecord(x: Exchange, secrets: SecretRegistry): ExchangeRecord {
  return secrets.redact({
    label: x.label,
    request: `${x.method} ${x.url}`,
    requestHeaders: x.requestHeaders,
    requestBody: x.requestBody === undefined ? undefined : clip(x.requestBody),
    status: x.response?.status,
    responseHeaders: x.response?.headers,
    responseBody:
      x.response === undefined
        ? undefined
        : x.response.oversize
          ? `(${x.response.oversize.bytes} bytes, not read: over the suite's limit of ${x.response.oversize.limit} bytes)`
          : clip(x.response.text),
    transportError: x.transportError,
    durationMs: x.durationMs,
  });
}

/** Headers the checks look at, and that are safe and useful in a report. */
const KEPT_RESPONSE_HEADERS = ['content-type', 'content-length', 'x-api-schema', 'location', 'retry-after'];

export interface SendOptions {
  api: APIRequestContext;
  /** Path relative to the request context's baseURL. */
  path: string;
  baseUrl: string;
  timeoutMs: number;
  /** Bodies larger than this are not read (default MAX_RESPONSE_BYTES). */
  maxBodyBytes?: number;
}

export async function send(plan: RequestPlan, opts: SendOptions): Promise<Exchange> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(plan.headers ?? {}) };
  if (plan.auth.kind === 'bearer') headers.Authorization = `Bearer ${plan.auth.secret}`;
  if (plan.auth.kind === 'raw') headers.Authorization = plan.auth.value;

  let data: string | Buffer | undefined;
  switch (plan.body.kind) {
    case 'json':
      data = JSON.stringify(plan.body.value);
      headers['Content-Type'] = 'application/json';
      break;
    case 'raw':
      // A Buffer, so that Playwright sends the bytes as they are (a string
      // with a JSON content type would be re-encoded as a JSON string).
      data = Buffer.from(plan.body.text, 'utf8');
      headers['Content-Type'] = plan.body.contentType;
      break;
    case 'empty':
      data = Buffer.alloc(0);
      headers['Content-Type'] = 'application/json';
      break;
    case 'none':
      data = undefined;
      break;
  }

  const url = `${opts.baseUrl.replace(/\/+$/, '')}/${opts.path}`;
  const exchange: Exchange = {
    label: plan.label,
    method: 'POST',
    url,
    requestHeaders: headers,
    requestBody: data === undefined ? undefined : data.toString('utf8'),
    durationMs: 0,
  };
  const started = performance.now();
  try {
    const response = await opts.api.post(url, {
      headers,
      data,
      failOnStatusCode: false,
      timeout: opts.timeoutMs,
      maxRedirects: 0,
    });
    const all = response.headers();
    const kept: Record<string, string> = {};
    for (const name of KEPT_RESPONSE_HEADERS) if (all[name] !== undefined) kept[name] = all[name];
    const limit = opts.maxBodyBytes ?? MAX_RESPONSE_BYTES;
    const declared = Number(all['content-length']);
    let received: ResponseData;
    if (Number.isFinite(declared) && declared > limit) {
      // Not even transferred from Playwright's side: judged by its size.
      received = { status: response.status(), headers: kept, text: '', oversize: { bytes: declared, limit } };
    } else {
      const bytes = await response.body();
      if (bytes.length > limit) {
        received = { status: response.status(), headers: kept, text: '', oversize: { bytes: bytes.length, limit } };
      } else {
        const text = bytes.toString('utf8');
        received = { status: response.status(), headers: kept, text };
        try {
          received.json = text === '' ? undefined : JSON.parse(text);
          if (text === '') received.jsonError = 'the body is empty';
        } catch (e) {
          received.jsonError = (e as Error).message;
        }
      }
    }
    exchange.response = received;
    await response.dispose();
  } catch (e) {
    exchange.transportError = describeTransportError(e as Error, opts.timeoutMs);
  }
  exchange.durationMs = Math.round(performance.now() - started);
  return exchange;
}

function describeTransportError(e: Error, timeoutMs: number): string {
  const msg = String(e.message ?? e).split('\n')[0].replace(/^apiRequestContext\.\w+:\s*/, '');
  if (/timeout/i.test(msg)) return `no response within REQUEST_TIMEOUT_MS=${timeoutMs} ms`;
  if (/ECONNREFUSED/.test(msg)) return `connection refused (${msg})`;
  if (/ECONNRESET|socket hang up/i.test(msg)) return `connection reset by the target before a full response (${msg})`;
  return msg;
}
