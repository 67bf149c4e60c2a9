/**
 * The mock's HTTP plumbing, knowing no operation: bounded body reading, JSON
 * and error answers, a genuine bug answered 500, the per-response log, and the
 * node:http server's lifecycle (listen, keep-alive, close with a grace period,
 * malformed requests answered in JSON).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DESCRIPTIONS, INTERNAL_SERVER_ERROR, JSON_CONTENT_TYPE, type MockError, type RenderedResponse } from './errors.ts';

export const EMPTY = Buffer.alloc(0);
export const TOO_LARGE = Symbol('too large');
export const ABORTED = Symbol('aborted');
export type Body = Buffer | typeof TOO_LARGE | typeof ABORTED;

/** What a route does with a request; a returned promise's rejection is answered 500. */
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** The node:http request listener. */
export type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const CLOSE_GRACE_MS = 1000;
/**
 * How long an idle keep-alive connection stays open. Well above node's 5 s
 * default, and above the idle timeouts of common clients (undici: 4 s), so a
 * client slow to send its next request does not reuse a connection the mock
 * has just closed (and get a reset). `close()` still ends idle ones at once.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Above the keep-alive timeout, as node asks. */
export const HEADERS_TIMEOUT_MS = 66_000;

export function noop(): void {}

/** '/core/v1/' -> '/core/v1'; 'core' -> '/core'; '/' or '' -> ''. */
export function normaliseBasePath(basePath: string): string {
  let p = basePath.trim();
  if (p !== '' && !p.startsWith('/')) p = `/${p}`;
  while (p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** The request's path without the query string. */
export function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

/** The request's query string, parsed. */
export function queryOf(url: string | undefined): URLSearchParams {
  const u = url ?? '';
  const q = u.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : u.slice(q + 1));
}

/** Reads the whole body up to `limit` bytes; never throws. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      req.on('error', noop);
      resolve(TOO_LARGE);
      return;
    }
    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settled = true;
        first = chunks = null;
        resolve(TOO_LARGE);
      } else if (first === null) {
        first = chunk;
      } else {
        (chunks ??= [first]).push(chunk);
      }
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks !== null ? Buffer.concat(chunks, size) : (first ?? EMPTY));
    });
    req.on('error', () => {
      if (settled) return;
      settled = true;
      resolve(ABORTED);
    });
  });
}

/** How answers are written: errors through the personality's renderer, successes as JSON. */
export interface Responder {
  sendError(res: http.ServerResponse, error: MockError): void;
  sendJson(res: http.ServerResponse, status: number, body: object): void;
  /** A genuine bug: answer 500 JSON if still possible, never crash. */
  fail(res: http.ServerResponse, e: unknown): void;
}

export function createResponder(render: (e: MockError) => RenderedResponse, onInternalError: (e: unknown) => void): Responder {
  const sendError = (res: http.ServerResponse, error: MockError): void => {
    const r = render(error);
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  };
  return {
    sendError,
    sendJson(res, status, body) {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
    },
    fail(res, e) {
      onInternalError(e);
      if (!res.headersSent) {
        sendError(res, { ...INTERNAL_SERVER_ERROR, closeConnection: true });
      } else {
        res.destroy();
      }
    },
  };
}

export interface ResponseLogEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  status: number;
  durationMs: number;
}

/** Wraps a listener so that every answered request is logged (method, path, status, duration: never headers or bodies). */
export function withResponseLog(
  core: RequestListener,
  onResponse: ((entry: ResponseLogEntry) => void) | undefined,
  onInternalError: (e: unknown) => void,
): RequestListener {
  if (onResponse === undefined) return core;
  return (req, res) => {
    const started = performance.now();
    res.once('finish', () => {
      try {
        onResponse({ method: req.method ?? '', path: pathOf(req.url), status: res.statusCode, durationMs: performance.now() - started });
      } catch (e) {
        onInternalError(e); // a broken logger must not take the server down
      }
    });
    core(req, res);
  };
}

function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  const body = JSON.stringify({ code: 'bad_request', description: DESCRIPTIONS.bad_request, detail: {} });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface ServerLifecycle {
  /** Listens once; resolves with the origin (`http://host:port`, a wildcard address as loopback). */
  listen(port: number, host: string): Promise<string>;
  /** Stops listening; idle connections close at once, busy ones after their answer or a grace period. */
  close(): Promise<void>;
}

/** A node:http server around a listener. */
export function createServerLifecycle(listener: RequestListener): ServerLifecycle {
  let server: http.Server | null = null;
  return {
    listen(port, host) {
      if (server !== null) return Promise.reject(new Error('the mock is already listening'));
      const s = http.createServer(listener);
      s.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      s.headersTimeout = HEADERS_TIMEOUT_MS;
      s.on('clientError', onClientError);
      server = s;
      return new Promise<string>((resolve, reject) => {
        const onError = (e: Error) => {
          server = null;
          reject(e);
        };
        s.once('error', onError);
        s.listen(port, host, () => {
          s.off('error', onError);
          s.on('error', noop);
          const a = s.address() as AddressInfo;
          const address = a.address === '0.0.0.0' ? '127.0.0.1' : a.address === '::' ? '::1' : a.address;
          resolve(`http://${address.includes(':') ? `[${address}]` : address}:${a.port}`);
        });
      });
    },

    close() {
      const s = server;
      if (s === null) return Promise.resolve();
      server = null;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => s.closeAllConnections(), CLOSE_GRACE_MS);
        timer.unref();
        s.close(() => {
          clearTimeout(timer);
          resolve();
        });
        s.closeIdleConnections();
      });
    },
  };
}
