/**
 * The reference mock under load, over real HTTP on loopback:
 * - many concurrent regenerations of ONE token: every answer is 200 or a
 *   documented error, every secret answered is distinct, and exactly one
 *   secret (the token's current one) is valid at the end;
 * - a long series of provider states set up, used and torn down: tokens in
 *   memory return to where they were, and the heap stays bounded.
 * Returns figures; the tests and the reliability script judge them.
 */
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createMock, STATE_NAMES } from '../../../src/mock/server.ts';

const OPERATION = '/api_tokens/api_token/regenerate_secret';

interface Answer {
  status: number;
  json: any;
}

function client(origin: string, maxSockets: number) {
  const { hostname, port } = new URL(origin);
  const agent = new http.Agent({ keepAlive: maxSockets !== Infinity, maxSockets });
  const post = (path: string, body: unknown, bearer?: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const text = JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      const req = http.request({ hostname, port: Number(port), method: 'POST', path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(raw);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      });
      req.on('error', reject);
      req.end(text);
    });
  return { post, close: () => agent.destroy() };
}

export interface ConcurrencyReport {
  /** "caller": regenerated with another token of the organization; "self": the token regenerates itself with its own secret. */
  variant: 'caller' | 'self';
  requests: number;
  statuses: Record<string, number>;
  /** Answers that are neither 200 nor a documented error for this situation. */
  unexpected: string[];
  fiveXX: number;
  transportErrors: number;
  secretsAnswered: number;
  distinctSecrets: number;
  /** Secrets (the old one and every one answered) that still authenticate at the end. */
  validAtEnd: number;
  /** The valid one is the token's secret as the store has it (it regenerates once more with it, when self). */
  oldSecretValid: boolean;
  durationMs: number;
}

/** `n` regenerations of one token, all in flight at once (one connection each). */
export async function concurrentRegenerations(n = 200, variant: 'caller' | 'self' = 'caller'): Promise<ConcurrencyReport> {
  const mock = createMock();
  const address = await mock.listen(0, '127.0.0.1');
  const { post, close } = client(address.origin, Infinity);
  const path = new URL(address.baseUrl).pathname + OPERATION;
  try {
    const st = (await post('/_provider-states', { state: 'token_can_regenerate', params: { instance: `concurrency-${variant}` }, action: 'setup' })).json;
    const bearer = variant === 'caller' ? st.bearer : st.secret;
    const started = performance.now();
    const settled = await Promise.allSettled(Array.from({ length: n }, () => post(path, { api_token: { id: st.api_token.id } }, bearer)));
    const durationMs = Math.round(performance.now() - started);
    const report: ConcurrencyReport = { variant, requests: n, statuses: {}, unexpected: [], fiveXX: 0, transportErrors: 0, secretsAnswered: 0, distinctSecrets: 0, validAtEnd: 0, oldSecretValid: false, durationMs };
    const secrets: string[] = [];
    for (const s of settled) {
      if (s.status === 'rejected') {
        report.transportErrors++;
        continue;
      }
      const a = s.value;
      const key = a.status === 200 ? '200' : `${a.status} ${a.json?.code}`;
      report.statuses[key] = (report.statuses[key] ?? 0) + 1;
      if (a.status >= 500) report.fiveXX++;
      if (a.status === 200) {
        const secret = a.json?.api_token?.secret;
        if (typeof secret === 'string' && secret !== '') secrets.push(secret);
        else report.unexpected.push('200 without a secret');
      } else if (!(variant === 'self' && a.status === 403 && a.json?.code === 'invalid_api_token')) {
        // With its own secret, a request that arrives after another one rotated it is rightly refused.
        report.unexpected.push(key);
      }
    }
    report.secretsAnswered = secrets.length;
    report.distinctSecrets = new Set(secrets).size;
    // Which of the secrets still authenticate? (An unknown id: authenticated calls get 404, nothing changes.)
    const candidates = [st.secret, ...secrets];
    const probe = client(address.origin, 16);
    try {
      const valid = await Promise.all(candidates.map(async (secret) => (await probe.post(path, { api_token: { id: 'does-not-exist' } }, secret)).status === 404));
      report.validAtEnd = valid.filter(Boolean).length;
      report.oldSecretValid = valid[0];
    } finally {
      probe.close();
    }
    return report;
  } finally {
    close();
    await mock.close();
  }
}

export interface ChurnReport {
  cycles: number;
  requests: number;
  /** 5xx answers other than the documented 503 service_unavailable of the service_unavailable state. */
  fiveXX: number;
  /** The documented 503s (one per service_unavailable cycle). */
  documented503: number;
  tokensBefore: number;
  tokensAfter: number;
  heapBeforeMB: number;
  heapAfterMB: number;
  rssBeforeMB: number;
  rssAfterMB: number;
  durationMs: number;
}

let gcFn: (() => void) | undefined;
function gc(): void {
  if (!gcFn) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (g) gcFn = g;
    else {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    }
  }
  gcFn();
  gcFn();
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * `cycles` provider states (all nine in turn) set up, used once and torn
 * down, `parallel` at a time, after a warm-up of `warmup` cycles; heap and
 * tokens are measured after the warm-up and at the end, after a full GC.
 */
export async function stateChurn(cycles = 2000, options: { parallel?: number; warmup?: number } = {}): Promise<ChurnReport> {
  const parallel = options.parallel ?? 8;
  const warmup = options.warmup ?? 300;
  const mock = createMock();
  const address = await mock.listen(0, '127.0.0.1');
  const { post, close } = client(address.origin, parallel);
  const path = new URL(address.baseUrl).pathname + OPERATION;
  let requests = 0;
  let fiveXX = 0;
  let documented503 = 0;
  const count = (a: Answer, state?: string) => {
    requests++;
    if (a.status === 503 && state === 'service_unavailable' && a.json?.code === 'service_unavailable') documented503++;
    else if (a.status >= 500) fiveXX++;
    return a;
  };
  const cycle = async (i: number) => {
    const state = STATE_NAMES[i % STATE_NAMES.length];
    const params = { instance: `churn-${i}` };
    const st = count(await post('/_provider-states', { state, params, action: 'setup' })).json;
    count(await post(path, { api_token: { id: st.api_token.id } }, st.bearer), state);
    count(await post('/_provider-states', { state, params, action: 'teardown' }));
  };
  const series = async (from: number, to: number) => {
    let next = from;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < to) await cycle(next++);
      }),
    );
  };
  try {
    await series(0, warmup);
    gc();
    const tokensBefore = mock.tokenCount();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    await series(warmup, warmup + cycles);
    const durationMs = Math.round(performance.now() - started);
    gc();
    return {
      cycles,
      requests,
      fiveXX,
      documented503,
      tokensBefore,
      tokensAfter: mock.tokenCount(),
      heapBeforeMB: mb(heapBefore),
      heapAfterMB: mb(process.memoryUsage().heapUsed),
      rssBeforeMB: mb(rssBefore),
      rssAfterMB: mb(process.memoryUsage().rss),
      durationMs,
    };
  } finally {
    close();
    await mock.close();
  }
}
