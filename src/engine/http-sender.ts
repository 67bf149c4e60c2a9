/**
 * The one place the suite sends an HTTP request (Node's fetch, undici): a
 * timeout that covers the body too, redirects answered rather than followed,
 * the body read within a byte cap where the caller sets one, and a failure
 * turned into the words of fetch-error.ts. Callers keep their own messages
 * and decide about retries: nothing here retries (a retried regeneration
 * would regenerate twice).
 */
import { describeFetchError } from './fetch-error.ts';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  timeoutMs: number;
  /** Bodies larger than this are not read (`oversize` says so); without it the whole body is read. */
  maxBodyBytes?: number;
  /** false: the body is not read at all (a reachability probe). Default true. */
  readBody?: boolean;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The body as received; empty when it was not read. */
  bytes: Buffer;
  /** The body decoded as fetch's `text()` does (UTF-8, a leading BOM dropped). */
  text: string;
  /** Set when the body was larger than maxBodyBytes: it was not read. */
  oversize?: { bytes: number; limit: number; atLeast?: boolean };
}

/** No HTTP answer came back (refused, reset, timed out, or the body broke off). */
export class HttpSendError extends Error {
  constructor(
    /** What fetch threw, for callers that word a failure their own way. */
    readonly reason: unknown,
    /** describeFetchError's words for it. */
    readonly words: string,
  ) {
    super(words);
    this.name = 'HttpSendError';
  }
}

export async function sendHttp(request: HttpRequest): Promise<HttpAnswer> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      // A redirect is an answer to judge, not to follow.
      redirect: 'manual',
      // Covers the body too: a target that stalls mid-body times out as well.
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    if (request.readBody === false) {
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, headers: response.headers, bytes: Buffer.alloc(0), text: '' };
    }
    const body = await readLimited(response, request.maxBodyBytes ?? Infinity);
    const text = body.oversize ? '' : new TextDecoder().decode(body.bytes);
    return { status: response.status, headers: response.headers, bytes: body.bytes, text, ...(body.oversize ? { oversize: body.oversize } : {}) };
  } catch (e) {
    throw new HttpSendError(e, describeFetchError(e, request.timeoutMs));
  }
}

/** Reads at most `limit` bytes: a larger body (declared or streamed) is not read further. */
async function readLimited(response: Response, limit: number): Promise<{ bytes: Buffer; oversize?: HttpAnswer['oversize'] }> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return { bytes: Buffer.alloc(0), oversize: { bytes: declared, limit } };
  }
  if (!response.body) return { bytes: Buffer.alloc(0) };
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.alloc(0), oversize: { bytes: limit, limit, atLeast: true } };
    }
    chunks.push(Buffer.from(value));
  }
  return { bytes: Buffer.concat(chunks) };
}

/** The words for a failed send (an HttpSendError's, or describeFetchError's for anything else thrown on the way). */
export function noAnswerWords(e: unknown, timeoutMs: number): string {
  return e instanceof HttpSendError ? e.words : describeFetchError(e, timeoutMs);
}
