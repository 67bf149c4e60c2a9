/**
 * One request and its response, as the checks see it. The raw response text
 * stays in memory for the checks (the leak check needs it); `toRecord`
 * produces the redacted form that may be written anywhere.
 */
import { describeFetchError } from './fetch-error.ts';
import { HttpSendError, sendHttp } from './http-sender.ts';
import { MASK } from '../model/redact.ts';
import type { SecretRegistry } from '../model/redact.ts';
import type { RequestTemplate } from './request-template.ts';

export type { Auth, RequestBody, RequestPlan } from './request-plan.ts';
import type { RequestPlan } from './request-plan.ts';

export interface ResponseData {
  status: number;
  /** The headers a report may show (KEPT_RESPONSE_HEADERS). */
  headers: Record<string, string>;
  /** Every header as received, for the checks only (never recorded: any of them may carry a secret). */
  allHeaders?: [string, string][];
  /** The body as received, for the checks only (the UTF-8 check needs the bytes, not their decoding). */
  bytes?: Buffer;
  text: string;
  json?: unknown;
  /** Why the body is not JSON, when it is not. */
  jsonError?: string;
  /** Set when the body was larger than the suite reads (MAX_RESPONSE_BYTES): it was not read, `text` is empty. */
  oversize?: { bytes: number; limit: number; atLeast?: boolean };
}

export interface Exchange {
  label: string;
  /** The operation's HTTP method. */
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  response?: ResponseData;
  /** Set when no HTTP response came back (refused, reset, timed out). */
  transportError?: string;
  durationMs: number;
  /** When the response (or the transport error) arrived, ISO 8601 by the suite's clock. */
  receivedAt?: string;
  /** The request with its credentials as named placeholders, to send again by hand. */
  template?: RequestTemplate;
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
  template?: RequestTemplate;
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
          ? `(${x.response.oversize.atLeast ? 'more than ' : ''}${x.response.oversize.bytes} bytes, not read: over the suite's limit of ${x.response.oversize.limit} bytes)`
          : clip(x.response.text),
    transportError: x.transportError,
    durationMs: x.durationMs,
    template: x.template,
  });
}

/** Headers the checks look at, and that are safe and useful in a report. */
const KEPT_RESPONSE_HEADERS = ['content-type', 'content-length', 'x-api-schema', 'location', 'retry-after'];

export interface SendOptions {
  /** The operation's HTTP method. */
  method: string;
  /** Path relative to the base URL. */
  path: string;
  baseUrl: string;
  timeoutMs: number;
  /** Bodies larger than this are not read (default MAX_RESPONSE_BYTES). */
  maxBodyBytes?: number;
}

/**
 * Sends one request of a scenario with Node's fetch (undici, through http-sender.ts), not Playwright's
 * APIRequestContext: on a timeout or a reset, Playwright writes the request's
 * headers, Authorization included, into the call log of the failed step, and
 * that log lands in its HTML report. Here credentials stay in this process and
 * only the redacted exchange leaves it.
 */
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
    method: opts.method,
    url,
    // What a report may show: the credentials (Authorization, and the
    // headers a state asked for, such as a capabilities token) masked here.
    requestHeaders: Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, k === 'Authorization' || (plan.headers && k in plan.headers) ? MASK : v]),
    ),
    requestBody: data === undefined ? undefined : data.toString('utf8'),
    durationMs: 0,
  };
  const started = performance.now();
  try {
    const response = await sendHttp({
      method: opts.method,
      url,
      headers,
      body: data === undefined ? undefined : typeof data === 'string' ? data : new Uint8Array(data),
      timeoutMs: opts.timeoutMs,
      maxBodyBytes: opts.maxBodyBytes ?? MAX_RESPONSE_BYTES,
    });
    const kept: Record<string, string> = {};
    for (const name of KEPT_RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) kept[name] = value;
    }
    const allHeaders: [string, string][] = [];
    response.headers.forEach((value, name) => allHeaders.push([name, value]));
    let received: ResponseData;
    if (response.oversize) {
      received = { status: response.status, headers: kept, allHeaders, text: '', oversize: response.oversize };
    } else {
      // Decoded without dropping a BOM: the UTF-8 check judges the bytes as sent.
      const text = response.bytes.toString('utf8');
      received = { status: response.status, headers: kept, allHeaders, bytes: response.bytes, text };
      try {
        received.json = text === '' ? undefined : JSON.parse(text);
        if (text === '') received.jsonError = 'the body is empty';
      } catch (e) {
        received.jsonError = (e as Error).message;
      }
    }
    exchange.response = received;
  } catch (e) {
    exchange.transportError = describeTransportError(e instanceof HttpSendError ? e.reason : e, opts.timeoutMs);
  }
  exchange.durationMs = Math.round(performance.now() - started);
  exchange.receivedAt = new Date().toISOString();
  return exchange;
}

function describeTransportError(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no response within REQUEST_TIMEOUT_MS=${timeoutMs} ms`;
  const code = err?.cause?.code;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `connection reset by the target before a full response (${describeFetchError(e, timeoutMs)})`;
  return describeFetchError(e, timeoutMs);
}
