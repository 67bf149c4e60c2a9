/**
 * Property-based fuzzing of the reference mock (fast-check), over real HTTP:
 * request bodies, request headers (with methods and paths), and
 * provider-state protocol messages. Every generated request must be answered
 * below 500, as JSON, and the mock must never report an internal error nor
 * stop answering. Returns figures; the tests and the reliability script judge
 * them.
 */
import http from 'node:http';
import fc from 'fast-check';
import { createMock, STATE_NAMES, type FaultName, type MockAddress } from '../../../src/mock/server.ts';

export interface FuzzReport {
  /** Generated requests, per property. */
  cases: Record<string, number>;
  total: number;
  statuses: Record<string, number>;
  fiveXX: number;
  internalErrors: number;
  /** fast-check's report of a falsified property (with the counterexample), one per property that failed. */
  failures: string[];
  /** The mock still answers a plain request after the fuzzing. */
  aliveAfter: boolean;
  seed: number;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const OPERATION = '/api_tokens/api_token/regenerate_secret';
const DOCUMENTED = new Set([200, 400, 403, 404, 422, 429, 503]);
/** Headers that would change the HTTP framing itself rather than what the mock judges. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'host', 'expect', 'upgrade', 'te', 'trailer', 'keep-alive']);

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 120 });
const latin1 = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 60 });
const headerName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,30}$/).filter((n) => !FRAMING.has(n.toLowerCase()));

/** `faults`: run against a deliberately broken mock (the project's proof that the fuzzing can find a 5xx). */
export async function fuzzMock(options: { runs?: number; seed?: number; faults?: FaultName[] } = {}): Promise<FuzzReport> {
  const runs = options.runs ?? 200;
  const seed = options.seed ?? Date.now() % 2_147_483_647;
  let internalErrors = 0;
  const mock = createMock({ faults: options.faults, onInternalError: () => internalErrors++ });
  const address: MockAddress = await mock.listen(0, '127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const report: FuzzReport = { cases: {}, total: 0, statuses: {}, fiveXX: 0, internalErrors: 0, failures: [], aliveAfter: false, seed };
  const { hostname, port } = new URL(address.origin);

  const send = (method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = http.request({ hostname, port: Number(port), method, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });

  const record = (property: string, a: Answer) => {
    report.cases[property] = (report.cases[property] ?? 0) + 1;
    report.total++;
    report.statuses[a.status] = (report.statuses[a.status] ?? 0) + 1;
    if (a.status >= 500) report.fiveXX++;
  };

  /** What every answer must be: below 500, JSON, an error shape when an error. */
  const judge = (a: Answer, method: string): string | undefined => {
    if (a.status >= 500) return `answered ${a.status}: ${a.text.slice(0, 200)}`;
    if (method === 'HEAD') return undefined;
    if (!a.contentType.startsWith('application/json')) return `Content-Type ${a.contentType}`;
    let json: unknown;
    try {
      json = JSON.parse(a.text);
    } catch {
      return `not JSON: ${a.text.slice(0, 200)}`;
    }
    if (a.status >= 400 && (typeof json !== 'object' || json === null || typeof (json as { code?: unknown }).code !== 'string')) return `error without a code: ${a.text.slice(0, 200)}`;
    return undefined;
  };

  const setup = async (state: string, instance: string) => JSON.parse((await send('POST', '/_provider-states', { 'content-type': 'application/json' }, JSON.stringify({ state, params: { instance }, action: 'setup' }))).text);

  try {
    const st = await setup('token_can_regenerate', 'fuzz');
    const path = new URL(address.baseUrl).pathname + OPERATION;

    const run = async (name: string, property: fc.IAsyncProperty<never> | fc.IAsyncProperty<any>) => {
      try {
        await fc.assert(property, { numRuns: runs, seed, endOnFailure: true });
      } catch (e) {
        // The counterexample may hold the mock's bearer: mask it like every report does.
        report.failures.push(`${name}: ${(e as Error).message.split(st.bearer).join('[REDACTED]').slice(0, 3000)}`);
      }
    };

    // 1. Request bodies (authenticated, so that the body is judged).
    // Mostly near-valid bodies (where the judgement is subtle), some pure noise.
    const id = fc.oneof({ arbitrary: fc.string({ maxLength: 60 }), weight: 4 }, { arbitrary: fc.constant(st.api_token.id), weight: 1 }, { arbitrary: fc.jsonValue(), weight: 2 });
    const apiToken = fc.oneof(
      { arbitrary: fc.record({ id, name: fc.jsonValue() }, { requiredKeys: ['id'] }), weight: 4 },
      { arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 3 }), weight: 1 },
      { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
      { arbitrary: fc.jsonValue(), weight: 1 },
    );
    const body = fc.oneof(
      { arbitrary: fc.record({ api_token: apiToken, other: fc.jsonValue() }, { requiredKeys: ['api_token'] }).map((v) => JSON.stringify(v)), weight: 6 },
      { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 2 },
      { arbitrary: fc.string({ maxLength: 300 }), weight: 1 },
      { arbitrary: fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b)), weight: 1 },
      { arbitrary: fc.constant(''), weight: 1 },
    );
    const contentType = fc.option(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '*/*', ';;;'), { nil: undefined });
    const authorization = fc.oneof(
      { arbitrary: fc.constant(`Bearer ${st.bearer}`), weight: 6 },
      { arbitrary: printable.map((s) => `Bearer ${s}`), weight: 2 },
      { arbitrary: printable, weight: 1 },
      { arbitrary: fc.constant(undefined), weight: 1 },
    );
    await run(
      'request bodies',
      fc.asyncProperty(body, contentType, authorization, async (b, ct, auth) => {
        const headers: Record<string, string> = {};
        if (ct !== undefined) headers['content-type'] = ct;
        if (auth !== undefined) headers.authorization = auth;
        const a = await send('POST', path, headers, b);
        record('request bodies', a);
        const problem = judge(a, 'POST');
        if (problem) throw new Error(problem);
        if (!DOCUMENTED.has(a.status)) throw new Error(`undocumented status ${a.status}`);
      }),
    );

    // 2. Headers, methods and paths.
    const method = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD');
    const target = fc.oneof(
      fc.constant(path),
      fc.constant('/_provider-states'),
      printable.map((s) => `${path}${encodeURI(`/${s}`).replace(/[?#]/g, '')}`),
      printable.map((s) => `${path}?${encodeURIComponent(s)}`),
      printable.map((s) => `/${encodeURIComponent(s)}`),
    );
    const extra = fc.dictionary(headerName, fc.oneof(printable, latin1), { maxKeys: 6 });
    await run(
      'headers',
      fc.asyncProperty(method, target, extra, authorization, fc.option(latin1, { nil: undefined }), async (m, p, h, auth, capabilities) => {
        const headers: Record<string, string> = { ...h };
        if (auth !== undefined) headers.authorization = auth;
        if (capabilities !== undefined) headers['x-capabilities-token'] = capabilities;
        const a = await send(m, p, headers, m === 'GET' || m === 'HEAD' ? undefined : JSON.stringify({ api_token: { id: st.api_token.id } }));
        record('headers', a);
        const problem = judge(a, m);
        if (problem) throw new Error(problem);
      }),
    );

    // 3. Provider-state protocol messages.
    const message = fc.oneof(
      fc
        .record(
          {
            state: fc.oneof(fc.constantFrom(...STATE_NAMES), fc.string({ maxLength: 40 }), fc.jsonValue()),
            params: fc.oneof(fc.record({ instance: fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.double(), fc.jsonValue()) }, { requiredKeys: [] }), fc.jsonValue()),
            action: fc.oneof(fc.constantFrom('setup', 'teardown'), fc.jsonValue()),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
    );
    await run(
      'state-protocol messages',
      fc.asyncProperty(message, async (msg) => {
        const a = await send('POST', '/_provider-states', { 'content-type': 'application/json' }, msg);
        record('state-protocol messages', a);
        const problem = judge(a, 'POST');
        if (problem) throw new Error(problem);
        if (a.status !== 200 && a.status !== 400) throw new Error(`state endpoint answered ${a.status}`);
        const parsed = typeof msg === 'string' ? (() => { try { return JSON.parse(msg); } catch { return undefined; } })() : undefined;
        const isSetup = parsed && typeof parsed === 'object' && (parsed.action === undefined || parsed.action === 'setup');
        if (a.status === 200 && isSetup) {
          const answer = JSON.parse(a.text);
          if (typeof answer?.api_token?.id !== 'string') throw new Error(`a 200 setup without api_token.id: ${a.text.slice(0, 200)}`);
          // Keep the mock small: undo what the setup made.
          await send('POST', '/_provider-states', { 'content-type': 'application/json' }, JSON.stringify({ ...parsed, action: 'teardown' }));
        }
      }),
    );

    const check = await send('POST', path, { authorization: `Bearer ${st.bearer}`, 'content-type': 'application/json' }, JSON.stringify({ api_token: { id: 'does-not-exist' } }));
    report.aliveAfter = check.status === 404;
  } finally {
    agent.destroy();
    await mock.close();
    report.internalErrors = internalErrors;
  }
  return report;
}
