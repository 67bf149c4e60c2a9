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
import { isObject, parseJsonOrUndefined } from '../model/json.ts';

export const FAULT_MODES = {
  stall: 'accept the request and never answer (until the client gives up, or --max-stall-ms)',
  'non-json': 'forward, then answer the target\'s status with an HTML page (Content-Type text/html) instead of its body',
  'huge-body': 'forward, then answer the target\'s status with a JSON body of --huge-bytes bytes (default 50 MiB)',
  reset: 'reset the connection (TCP RST) without answering',
  redirect: 'answer 307 Temporary Redirect to another path of this proxy, without forwarding',
} as const;

export type FaultMode = keyof typeof FAULT_MODES;
export const FAULT_MODE_NAMES = Object.keys(FAULT_MODES) as FaultMode[];

export type FaultScope = { kind: 'all' } | { kind: 'path'; prefix: string } | { kind: 'state'; name: string } | { kind: 'scenario'; id: string };

export interface FaultRule {
  mode: FaultMode;
  scope: FaultScope;
}

export class FaultRuleError extends Error {
  override name = 'FaultRuleError';
}

/** "stall", "reset@scenario=403-permission_denied", "stall@path=/_provider-states", "non-json@state=token_expired". */
export function parseFaultRule(text: string): FaultRule {
  const [modeText, scopeText] = text.split('@', 2) as [string, string | undefined];
  const mode = modeText.trim();
  if (!(FAULT_MODE_NAMES as string[]).includes(mode)) {
    throw new FaultRuleError(`unknown fault mode ${JSON.stringify(mode)}; known: ${FAULT_MODE_NAMES.join(', ')}`);
  }
  if (scopeText === undefined || scopeText.trim() === 'all') return { mode: mode as FaultMode, scope: { kind: 'all' } };
  const eq = scopeText.indexOf('=');
  const kind = eq === -1 ? scopeText : scopeText.slice(0, eq);
  const value = eq === -1 ? '' : scopeText.slice(eq + 1);
  if (value === '' || !['path', 'state', 'scenario'].includes(kind)) {
    throw new FaultRuleError(`bad scope ${JSON.stringify(scopeText)} in ${JSON.stringify(text)}; use all, path=PREFIX, state=NAME or scenario=ID`);
  }
  if (kind === 'path') return { mode: mode as FaultMode, scope: { kind: 'path', prefix: value.startsWith('/') ? value : `/${value}` } };
  if (kind === 'state') return { mode: mode as FaultMode, scope: { kind: 'state', name: value } };
  return { mode: mode as FaultMode, scope: { kind: 'scenario', id: value } };
}

export function describeRule(rule: FaultRule): string {
  const s = rule.scope;
  const scope = s.kind === 'all' ? 'every request except the state endpoint' : s.kind === 'path' ? `paths starting with ${s.prefix}` : s.kind === 'state' ? `requests of state ${s.name}` : `requests of scenario ${s.id}`;
  return `${rule.mode} on ${scope}`;
}

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

interface Attribution {
  state: string;
  instance: string;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);
const REQUEST_BODY_LIMIT = 4 * 1024 * 1024;
const UPSTREAM_BODY_LIMIT = 16 * 1024 * 1024;
const MAX_ATTRIBUTIONS = 20_000;
const MAX_AUTHORIZATION_VALUES = 20_000;

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


const parseJson = (buf: Buffer): unknown => parseJsonOrUndefined(buf.toString('utf8'));

export function createFaultProxy(options: FaultProxyOptions): FaultProxy {
  const upstream = new URL(options.upstream);
  const rules = [...(options.rules ?? [])];
  const statePath = options.statePath ?? '/_provider-states';
  const hugeBytes = options.hugeBodyBytes ?? 50 * 1024 * 1024;
  const maxStallMs = options.maxStallMs ?? 120_000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  /** bearer / secret -> the state setup it came from. */
  const attributions = new Map<string, Attribution>();
  const authorizations = new Set<string>();
  const stats: FaultProxyStats = { requests: 0, forwarded: 0, faulted: {}, upstreamErrors: 0 };
  const sockets = new Set<Socket>();
  const stallTimers = new Set<NodeJS.Timeout>();
  let origin = '';

  const remember = (secret: unknown, a: Attribution) => {
    if (typeof secret !== 'string' || secret === '') return;
    attributions.delete(secret);
    attributions.set(secret, a);
    if (attributions.size > MAX_ATTRIBUTIONS) attributions.delete(attributions.keys().next().value!);
  };

  const bearerOf = (req: http.IncomingMessage): string | undefined => {
    const h = req.headers.authorization;
    if (typeof h !== 'string') return undefined;
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    return m?.[1];
  };

  function ruleFor(path: string, isState: boolean, attribution: Attribution | undefined): FaultRule | undefined {
    return rules.find((r) => {
      switch (r.scope.kind) {
        case 'all':
          return !isState;
        case 'path':
          return path.startsWith(r.scope.prefix);
        case 'state':
          return !isState && attribution?.state === r.scope.name;
        case 'scenario':
          return !isState && attribution !== undefined && (attribution.instance === r.scope.id || attribution.instance.startsWith(`${r.scope.id}-`));
      }
    });
  }

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

  function learn(path: string, isState: boolean, requestBody: Buffer, attribution: Attribution | undefined, status: number, responseBody: Buffer) {
    if (isState) {
      const msg = parseJson(requestBody);
      if (!isObject(msg) || typeof msg.state !== 'string') return;
      // As the mock reads it: a string or a number (String() of an object can throw: {"toString": 1}).
      const raw = isObject(msg.params) ? msg.params.instance : undefined;
      const instance = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
      const a = { state: msg.state, instance };
      if (msg.action === 'teardown') {
        for (const [secret, at] of attributions) if (at.instance === instance && at.state === msg.state) attributions.delete(secret);
        return;
      }
      // The suite takes any 2xx as an answer; so does the proxy.
      if (status < 200 || status > 299) return;
      const answer = parseJson(responseBody);
      if (!isObject(answer)) return;
      remember(answer.bearer, a);
      remember(answer.secret, a);
      return;
    }
    if (attribution === undefined || status < 200 || status > 299 || path === statePath) return;
    const answer = parseJson(responseBody);
    if (isObject(answer) && isObject(answer.api_token)) remember(answer.api_token.secret, attribution);
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
    const rule = ruleFor(path, isState, attribution);

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
    learn(path, isState, body, attribution, answer.status, answer.body);
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
