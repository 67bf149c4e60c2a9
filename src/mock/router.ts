/**
 * The mock's one route table: {method, path, handler} entries, knowing no
 * operation. Paths are below the server's root (the base path included) and
 * may hold `{name}` segments, each matching any one non-empty segment; a
 * literal path wins over a template, and templates are tried in the order
 * added. An unknown path is answered 404 JSON (`route_not_found`), a known
 * path with another method 405 with `Allow`.
 */
import type http from 'node:http';
import { methodNotAllowed, routeNotFound } from './errors.ts';
import { pathOf, type Handler, type Responder } from './http.ts';

export interface Route {
  method: string;
  path: string;
  handler: Handler;
}

interface Template {
  path: string;
  segments: string[];
  methods: Map<string, Handler>;
}

const isParam = (segment: string) => segment.length > 2 && segment.startsWith('{') && segment.endsWith('}');

export class Router {
  /** path -> method -> handler, for literal paths (the hot path: one map lookup). */
  private readonly literal = new Map<string, Map<string, Handler>>();
  private readonly templates: Template[] = [];

  constructor(routes: Iterable<Route> = []) {
    for (const r of routes) this.add(r.method, r.path, r.handler);
  }

  /** Adds a route; a second handler for the same method and path is refused (use `has` to leave a route alone). */
  add(method: string, path: string, handler: Handler): void {
    const methods = this.methodsFor(path, true)!;
    const m = method.toUpperCase();
    if (methods.has(m)) throw new Error(`the mock already serves ${m} ${path}`);
    methods.set(m, handler);
  }

  /** Whether `method` is served at exactly this path (a template by its own spelling). */
  has(method: string, path: string): boolean {
    return this.methodsFor(path, false)?.has(method.toUpperCase()) ?? false;
  }

  /** The handlers of the path a request names (method -> handler), or undefined. */
  match(path: string): ReadonlyMap<string, Handler> | undefined {
    const exact = this.literal.get(path);
    if (exact !== undefined || this.templates.length === 0) return exact;
    const segments = path.split('/');
    return this.templates.find(
      (t) => t.segments.length === segments.length && t.segments.every((s, i) => (isParam(s) ? segments[i] !== '' : s === segments[i])),
    )?.methods;
  }

  /** Answers a request: its route's handler (a rejected promise answered 500), or 404 / 405 JSON. */
  dispatch(req: http.IncomingMessage, res: http.ServerResponse, respond: Responder): void {
    const path = pathOf(req.url);
    const methods = this.match(path);
    const method = req.method ?? 'GET';
    if (methods === undefined) return respond.sendError(res, routeNotFound(method, path));
    const handle = methods.get(method);
    if (handle === undefined) {
      res.setHeader('allow', [...methods.keys()].join(', '));
      return respond.sendError(res, methodNotAllowed(method, [...methods.keys()]));
    }
    const pending = handle(req, res);
    if (pending !== undefined) pending.catch((e: unknown) => respond.fail(res, e));
  }

  private methodsFor(path: string, create: boolean): Map<string, Handler> | undefined {
    const segments = path.split('/');
    if (!segments.some(isParam)) {
      let methods = this.literal.get(path);
      if (methods === undefined && create) this.literal.set(path, (methods = new Map()));
      return methods;
    }
    let t = this.templates.find((x) => x.path === path);
    if (t === undefined && create) this.templates.push((t = { path, segments, methods: new Map() }));
    return t?.methods;
  }
}
