/**
 * A small HTTP fault proxy: it sits in front of a target (the reference mock,
 * or any vendor mock) and breaks the transport on purpose, so that the
 * project can show the suite surviving a target that stalls, answers
 * something that is not JSON, sends a huge body, resets the connection or
 * redirects.
 *
 * Everything else is forwarded as it is. A fault applies to the requests its
 * scope selects:
 *   all              every request except the provider-state endpoint (default)
 *   path=PREFIX      requests whose path starts with PREFIX (may be the state endpoint)
 *   state=NAME       requests authenticated with a secret that a setup of state NAME
 *                    answered (through this proxy), or that a regeneration answered
 *                    for such a request
 *   scenario=ID      the same, for setups whose params.instance starts with ID
 *                    (the suite's instances are "<scenario id>-<uuid>")
 * so that one run can break some scenarios and leave the others alone.
 *
 * It records every Authorization value it forwards (in memory, for the
 * project's leak tests) and counts what it did; it never prints a header or body.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Attributions, bearerOf } from './attributions.ts';
import { describeRule, ruleFor, type FaultRule } from './rules.ts';

export interface FaultProxyOptions {
  /** Origin of the target, e.g. http://127.0.0.1:4010 (paths are forwarded unchanged). */
  upstream: string;
  rules?: readonly FaultRule[];
  /** Path of the provider-state endpoint, watched to attribute requests to states; default /_provider-states. */
  statePath?: string;
  /** Size of the huge-body answer; default 50 MiB. */
  hugeBodyBytes?: number;
  /** A stalled request is dropped after this long even if the client waits; default 120 s. */
  maxStallMs?: number;
}

export interface FaultProxyStats {
  requests: number;
  forwarded: number;
  /** Requests broken, per rule (as described by describeRule). */
  faulted: Record<string, number>;
  upstreamErrors: number;
}

export interface FaultProxy {
  listen(port?: number, host?: string): Promise<{ origin: string }>;
  close(): Promise<void>;
  /** Every Authorization value forwarded or faulted (for leak tests; never printed). */
  authorizationValues(): string[];
  stats(): FaultProxyStats;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);
const REQUEST_BODY_LIMIT = 4 * 1024 * 1024;
const UPSTREAM_BODY_LIMIT = 16 * 1024 * 1024;
const MAX_AUTHORIZATION_VALUES = 20_000;
/** Idle keep-alive connections stay open this long (node's default, 5 s, lets a slow client reuse one just closed); close() destroys every socket at once. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Above the keep-alive timeout, as node asks. */
const HEADERS_TIMEOUT_MS = 66_000;

const HTML_PAGE = '<!DOCTYPE html>\n<html><head><title>Service</title></head><body><h1>Welcome</h1><p>This page is not the API.</p></body></html>\n';

function readAll(stream: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    stream.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    stream.on('error', () => resolve(null));
  });
}



export function createFaultProxy(options: FaultProxyOptions): FaultProxy {
  const upstream = new URL(options.upstream);
  const rules = [...(options.rules ?? [])];
  const statePath = options.statePath ?? '/_provider-states';
  const hugeBytes = options.hugeBodyBytes ?? 50 * 1024 * 1024;
  const maxStallMs = options.maxStallMs ?? 120_000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const attributions = new Attributions(statePath);
  const authorizations = new Set<string>();
  const stats: FaultProxyStats = { requests: 0, forwarded: 0, faulted: {}, upstreamErrors: 0 };
  const sockets = new Set<Socket>();
  const stallTimers = new Set<NodeJS.Timeout>();
  let origin = '';

  /** How many requests each rule has broken (a counted rule, `#N`, stops at N). */
  const uses = new Map<FaultRule, number>();
  function count(rule: FaultRule) {
    const key = describeRule(rule);
    stats.faulted[key] = (stats.faulted[key] ?? 0) + 1;
  }

  function forward(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer } | { error: string }> {
    return new Promise((resolve) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
      headers.host = upstream.host;
      if (body.length > 0 || req.headers['content-length'] !== undefined) headers['content-length'] = String(body.length);
      const out = http.request(
        { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
        (res) => {
          readAll(res, UPSTREAM_BODY_LIMIT).then((b) => {
            if (b === null) resolve({ error: 'the target\'s answer was too large or broken for the proxy' });
            else resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b });
          });
        },
      );
      out.on('error', (e) => resolve({ error: e.message }));
      out.end(body);
    });
  }

  function writeHuge(res: http.ServerResponse, status: number): void {
    const head = '{"padding":"';
    const tail = '"}';
    const fill = Math.max(0, hugeBytes - head.length - tail.length);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(head.length + fill + tail.length) });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = fill;
    res.write(head);
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end(tail);
    };
    res.on('close', () => {
      left = 0;
    });
    pump();
  }

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    stats.requests++;
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && authorizations.size < MAX_AUTHORIZATION_VALUES) authorizations.add(auth);
    const body = await readAll(req, REQUEST_BODY_LIMIT);
    if (body === null) {
      if (!res.headersSent) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end('{"code":"fault_proxy_request_too_large","description":"the fault proxy does not forward bodies over 4 MiB","detail":{}}');
      }
      return;
    }
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    const isState = path === statePath;
    const bearer = bearerOf(req);
    const attribution = bearer === undefined ? undefined : attributions.get(bearer);
    const rule = ruleFor(rules, path, isState, attribution, (r) => uses.get(r) ?? 0);
    // Taken when selected, before any await: two requests at once cannot both take a rule's last turn.
    if (rule) uses.set(rule, (uses.get(rule) ?? 0) + 1);

    if (rule?.mode === 'stall') {
      count(rule);
      const timer = setTimeout(() => {
        stallTimers.delete(timer);
        req.socket.destroy();
      }, maxStallMs);
      stallTimers.add(timer);
      res.on('close', () => {
        clearTimeout(timer);
        stallTimers.delete(timer);
      });
      return;
    }
    if (rule?.mode === 'reset') {
      count(rule);
      req.socket.resetAndDestroy();
      return;
    }
    if (rule?.mode === 'redirect') {
      count(rule);
      res.writeHead(307, { location: `${origin}/moved${url}`, 'content-length': '0' });
      res.end();
      return;
    }

    const answer = await forward(req, body);
    if ('error' in answer) {
      stats.upstreamErrors++;
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'fault_proxy_upstream_error', description: 'the fault proxy could not reach the target', detail: { reason: answer.error } }));
      }
      return;
    }
    stats.forwarded++;
    attributions.learn(path, isState, body, attribution, answer.status, answer.body);
    if (res.destroyed) return;

    if (rule?.mode === 'non-json') {
      count(rule);
      res.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(HTML_PAGE)) });
      res.end(HTML_PAGE);
      return;
    }
    if (rule?.mode === 'huge-body') {
      count(rule);
      writeHuge(res, answer.status);
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  let server: http.Server | null = null;

  return {
    listen(port = 0, host = '127.0.0.1') {
      const s = http.createServer((req, res) => {
        handler(req, res).catch(() => {
          if (!res.headersSent) res.writeHead(502);
          res.destroy();
        });
      });
      s.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      s.headersTimeout = HEADERS_TIMEOUT_MS;
      s.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      s.on('clientError', (_e, socket) => socket.destroy());
      server = s;
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          const a = s.address() as AddressInfo;
          origin = `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
          resolve({ origin });
        });
      });
    },
    close() {
      const s = server;
      server = null;
      for (const t of stallTimers) clearTimeout(t);
      stallTimers.clear();
      agent.destroy();
      if (s === null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        s.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    authorizationValues: () => [...authorizations],
    stats: () => ({ ...stats, faulted: { ...stats.faulted } }),
  };
}
