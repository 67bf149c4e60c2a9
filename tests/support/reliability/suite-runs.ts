/**
 * Real runs of the conformance suite (`playwright test` in a child process)
 * under bad configuration, behind the fault proxy, and through a recording
 * proxy for the leak scan. Each returns figures; the tests and the
 * reliability script judge them.
 */
import http from 'node:http';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../../src/config/env.ts';
import { createFaultProxy, type FaultProxy } from '../../../src/fault-proxy/proxy.ts';
import { parseFaultRule } from '../../../src/fault-proxy/rules.ts';
import { createMock, type FaultName, type Mock, type MockAddress } from '../../../src/mock/server.ts';
import { formatScan, scanForSecrets, SecretMatcher, type KnownSecret } from '../../../src/leak/scan.ts';
import { regenerateSecret } from '../../../src/operations/regenerate-secret/index.ts';
import { runCatalogue } from '../../../src/engine/run-catalogue.ts';
import type { ScenarioResult } from '../../../src/engine/run-scenario.ts';
import { SecretRegistry } from '../../../src/model/redact.ts';
import { ProviderStateArranger } from '../../../src/arrange/provider-state-arranger.ts';
import { loadSchemas } from '../../../src/suite/context.ts';
import { runSuite, type SuiteRun } from '../run-suite.ts';
const { catalogue } = regenerateSecret;

/** A line that is a stack frame ("    at fn (file.ts:12:3)"). */
export const STACK_FRAME = /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/m;

const REPORT_FILES = ['conformance.html', 'conformance.json', 'junit.xml', 'playwright/index.html'];

async function listen(handler: http.RequestListener, onConnection?: (s: import('node:net').Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    onConnection?.(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ------------------------------------------------------------ bad configuration

export interface BadConfigCase {
  name: string;
  /** What the one clear message must say. */
  message: RegExp;
  env(servers: BadServers): Record<string, string>;
}

export interface BadServers {
  mock: MockAddress;
  /** An origin on a loopback port nothing listens on. */
  refuses: string;
  answers500: string;
  answersHtml: string;
  closesConnection: string;
  stalls: string;
  specs: { unreadable: string; notJson: string; notOpenApi: string; brokenRef: string; stale: string };
}

export interface BadConfigResult {
  name: string;
  exitCode: number | null;
  durationMs: number;
  /** The line of the output that carries the message (or the first line, when none matched). */
  message: string;
  messageMatched: boolean;
  /** Stack frames anywhere in the output. */
  stackFrames: number;
  /** conformance.json was written and its verdict is fail. */
  reportSaysFail: boolean;
}

/** Small REQUEST_TIMEOUT_MS so that the stalling cases end quickly. */
const FAST = { REQUEST_TIMEOUT_MS: '1000' };

export const BAD_CONFIG_CASES: BadConfigCase[] = [
  { name: 'unknown ERROR_ENVELOPE', message: /ERROR_ENVELOPE="nested" is not known/, env: () => ({ ERROR_ENVELOPE: 'nested' }) },
  { name: 'live credentials half set', message: /live mode needs both KATAPULT_API_TOKEN and KATAPULT_ORGANIZATION/, env: (s) => ({ BASE_URL: s.mock.baseUrl, KATAPULT_API_TOKEN: 'half-set-token-0123456789' }) },
  { name: 'REQUEST_TIMEOUT_MS not a number', message: /REQUEST_TIMEOUT_MS="soon" must be a positive whole number/, env: () => ({ REQUEST_TIMEOUT_MS: 'soon' }) },
  { name: 'BASE_URL not a URL', message: /BASE_URL="localhost-4010" is not a URL/, env: () => ({ BASE_URL: 'localhost-4010' }) },
  { name: 'BASE_URL unreachable (connection refused)', message: /BASE_URL=http:\/\/127\.0\.0\.1:\d+\/core\/v1: nothing answers there \(connection refused: nothing listens on that port\)/, env: (s) => ({ BASE_URL: `${s.refuses}/core/v1` }) },
  { name: 'BASE_URL accepts but never answers', message: /BASE_URL=.*: nothing answers there \(no answer within 1000 ms\)/, env: (s) => ({ ...FAST, BASE_URL: `${s.stalls}/core/v1` }) },
  { name: 'STATE_URL answers 500', message: /STATE_URL=.*: the first state setup \(state "token_can_regenerate"\) was answered HTTP 500 text\/plain that is not JSON \(Internal Server Error\); that is not a provider-state endpoint/, env: (s) => ({ BASE_URL: s.mock.baseUrl, STATE_URL: s.answers500 }) },
  { name: 'STATE_URL answers HTML', message: /STATE_URL=.*: the first state setup \(state "token_can_regenerate"\) was answered HTTP 200 text\/html that is not JSON \(<!DOCTYPE html>.*check the path/, env: (s) => ({ BASE_URL: s.mock.baseUrl, STATE_URL: s.answersHtml }) },
  { name: 'STATE_URL with a wrong path (404)', message: /STATE_URL=http:\/\/127\.0\.0\.1:\d+\/_states: the first state setup \(state "token_can_regenerate"\) was answered HTTP 404 .*serves it at \/_provider-states/, env: (s) => ({ BASE_URL: s.mock.baseUrl, STATE_URL: `${s.mock.origin}/_states` }) },
  { name: 'STATE_URL closes the connection', message: /STATE_URL=.*: nothing answers there \(the connection was (closed|reset) before an answer\)/, env: (s) => ({ BASE_URL: s.mock.baseUrl, STATE_URL: s.closesConnection }) },
  { name: 'STATE_URL accepts but never answers', message: /STATE_URL=.*: nothing answers there \(no answer within 1000 ms\)/, env: (s) => ({ ...FAST, BASE_URL: s.mock.baseUrl, STATE_URL: s.stalls }) },
  { name: 'spec unreadable', message: /the OpenAPI document cannot be used: specs\/zz-unreadable\.openapi\.json: cannot be read \(ENOENT\)/, env: (s) => ({ SPECS_DIR: s.specs.unreadable }) },
  { name: 'spec not JSON', message: /the OpenAPI document cannot be used: specs\/regenerate-secret\.openapi\.json: not valid JSON/, env: (s) => ({ SPECS_DIR: s.specs.notJson }) },
  { name: 'spec not OpenAPI', message: /the OpenAPI document cannot be used: specs\/regenerate-secret\.openapi\.json: not an OpenAPI document/, env: (s) => ({ SPECS_DIR: s.specs.notOpenApi }) },
  { name: 'spec with a dangling $ref', message: /the OpenAPI document cannot be used: .*\$ref "#\/components\/schemas\/Nowhere" does not resolve/, env: (s) => ({ SPECS_DIR: s.specs.brokenRef }) },
  { name: 'schemas stale for the spec', message: /the derived schemas in schemas do not match the OpenAPI documents in .* \(\d+ stale.*run "npm run schemas -- --specs /, env: (s) => ({ SPECS_DIR: s.specs.stale }) },
];

function specFixtures(): BadServers['specs'] {
  const original = readFileSync(path.join(REPO_ROOT, 'specs/regenerate-secret.openapi.json'), 'utf8');
  const dir = (name: string, write: (d: string) => void) => {
    const d = mkdtempSync(path.join(tmpdir(), `conformance-specs-${name}-`));
    write(d);
    return d;
  };
  const spec = (d: string, text: string) => writeFileSync(path.join(d, 'regenerate-secret.openapi.json'), text);
  return {
    unreadable: dir('unreadable', (d) => {
      copyFileSync(path.join(REPO_ROOT, 'specs/regenerate-secret.openapi.json'), path.join(d, 'regenerate-secret.openapi.json'));
      symlinkSync(path.join(d, 'nowhere.json'), path.join(d, 'zz-unreadable.openapi.json'));
    }),
    notJson: dir('not-json', (d) => spec(d, original.slice(0, original.length / 2))),
    notOpenApi: dir('not-openapi', (d) => spec(d, JSON.stringify({ swagger: 'a wiki page', paths: {} }))),
    brokenRef: dir('broken-ref', (d) => {
      const doc = JSON.parse(original);
      const op = Object.values(doc.paths as Record<string, Record<string, any>>)[0]!;
      const first = Object.values(op)[0] as { responses: Record<string, any> };
      first.responses['404'] = { description: 'not found', content: { 'application/json': { schema: { $ref: '#/components/schemas/Nowhere' } } } };
      spec(d, JSON.stringify(doc, null, 2));
    }),
    stale: dir('stale', (d) => {
      const doc = JSON.parse(original);
      doc.info.description = `${doc.info.description ?? ''} (edited after the schemas were derived)`;
      spec(d, JSON.stringify(doc, null, 2));
    }),
  };
}

export async function startBadServers(): Promise<BadServers & { close(): Promise<void> }> {
  const mock = createMock();
  const mockAddress = await mock.listen(0, '127.0.0.1');
  const s500 = await listen((_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('Internal Server Error');
  });
  const html = await listen((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html><body><h1>It works!</h1></body></html>');
  });
  const closes = await listen(() => undefined, (socket) => socket.destroy());
  const stalls = await listen(() => undefined);
  const closed = await listen(() => undefined);
  await closed.close();
  const specs = specFixtures();
  return {
    mock: mockAddress,
    refuses: closed.url,
    answers500: `${s500.url}/_provider-states`,
    answersHtml: `${html.url}/_provider-states`,
    closesConnection: `${closes.url}/_provider-states`,
    stalls: stalls.url,
    specs,
    close: async () => {
      await Promise.all([s500.close(), html.close(), closes.close(), stalls.close(), mock.close()]);
      for (const d of Object.values(specs)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export async function runBadConfig(c: BadConfigCase, servers: BadServers): Promise<BadConfigResult> {
  const started = performance.now();
  const run = await runSuite(c.env(servers));
  const durationMs = Math.round(performance.now() - started);
  const lines = run.output.split('\n').map((l) => l.trim()).filter(Boolean);
  const matched = lines.find((l) => c.message.test(l));
  let reportSaysFail = false;
  try {
    reportSaysFail = run.json().verdict === 'fail';
  } catch {
    reportSaysFail = false;
  }
  return {
    name: c.name,
    exitCode: run.code,
    durationMs,
    message: matched ?? lines.find((l) => /ConfigError|Conformance: FAIL/.test(l)) ?? lines[0] ?? '(no output)',
    messageMatched: matched !== undefined,
    stackFrames: run.output.split('\n').filter((l) => STACK_FRAME.test(l)).length,
    reportSaysFail,
  };
}

// ------------------------------------------------------------ target faults

/** One fault per scenario, all in one run: the others must be unaffected. */
export const TARGET_FAULTS: { rule: string; scenario: string; message: RegExp }[] = [
  { rule: 'stall@scenario=403-permission_denied', scenario: '403-permission_denied', message: /no HTTP response to "the scenario's request": no response within REQUEST_TIMEOUT_MS=\d+ ms/ },
  { rule: 'non-json@scenario=404-api_token_not_found', scenario: '404-api_token_not_found', message: /expected Content-Type application\/json, received "text\/html[^"]*"[\s\S]*the body is not JSON/ },
  { rule: 'huge-body@scenario=422-validation_error', scenario: '422-validation_error', message: /the response body is 52428800 bytes, more than the 1048576 bytes the suite reads/ },
  { rule: 'reset@scenario=429-rate_limit_reached', scenario: '429-rate_limit_reached', message: /no HTTP response to "the scenario's request": connection reset by the target/ },
  { rule: 'redirect@scenario=503-service_unavailable', scenario: '503-service_unavailable', message: /Received: 307 \(a redirect to http:\/\/127\.0\.0\.1:\d+\/moved\/core\/v1\/api_tokens\/api_token\/regenerate_secret; the suite does not follow redirects/ },
];

export interface TargetFaultsResult {
  exitCode: number | null;
  durationMs: number;
  reportsWritten: string[];
  reportsMissing: string[];
  verdict: string | undefined;
  faults: { rule: string; scenario: string; outcome: string; message: string; messageMatched: boolean; timesBroken: number }[];
  /** Scenarios no fault was aimed at, and how many of them passed. */
  unaffected: { total: number; passed: number; notPassed: string[] };
  /** The suite's own leak-scan line: transport failures must not carry a credential into any report. */
  leakScanLine: string;
}

export async function runTargetFaults(requestTimeoutMs = 3000): Promise<TargetFaultsResult> {
  const mock = createMock();
  const upstream = await mock.listen(0, '127.0.0.1');
  const proxy = createFaultProxy({ upstream: upstream.origin, rules: TARGET_FAULTS.map((f) => parseFaultRule(f.rule)) });
  const { origin } = await proxy.listen(0, '127.0.0.1');
  try {
    const started = performance.now();
    const run = await runSuite({ BASE_URL: `${origin}/core/v1`, STATE_URL: `${origin}/_provider-states`, REQUEST_TIMEOUT_MS: String(requestTimeoutMs) });
    const durationMs = Math.round(performance.now() - started);
    const written = REPORT_FILES.filter((f) => existsSync(path.join(run.reportsDir, f)));
    let report: any;
    try {
      report = run.json();
    } catch {
      report = undefined;
    }
    const byId = new Map<string, any>((report?.scenarios ?? []).map((s: any) => [s.id, s]));
    const broken = proxy.stats().faulted;
    const faults = TARGET_FAULTS.map((f) => {
      const s = byId.get(f.scenario);
      const message = (s?.messages ?? []).join('\n');
      const timesBroken = Object.entries(broken).find(([k]) => k.endsWith(`scenario ${f.scenario}`))?.[1] ?? 0;
      return { rule: f.rule, scenario: f.scenario, outcome: s?.outcome ?? 'missing', message: message.split('\n')[0] ?? '', messageMatched: f.message.test(message), timesBroken };
    });
    const aimed = new Set(TARGET_FAULTS.map((f) => f.scenario));
    const others = catalogue.filter((c) => !aimed.has(c.id));
    const notPassed = others.filter((c) => byId.get(c.id)?.outcome !== 'passed').map((c) => `${c.id}: ${byId.get(c.id)?.outcome ?? 'missing'}`);
    return {
      exitCode: run.code,
      durationMs,
      reportsWritten: written,
      reportsMissing: REPORT_FILES.filter((f) => !written.includes(f)),
      verdict: report?.verdict,
      faults,
      unaffected: { total: others.length, passed: others.length - notPassed.length, notPassed },
      leakScanLine: run.output.split('\n').find((l) => l.startsWith('Leak scan:')) ?? '(no leak-scan line)',
    };
  } finally {
    await proxy.close();
    await mock.close();
  }
}

/**
 * The whole catalogue in process (the suite's engine and arranger, without
 * Playwright's runner) against the reference mock behind a fault proxy.
 */
export async function runInProcessThroughProxy(
  rules: string[],
  requestTimeoutMs: number,
  /** Timeout of the state endpoint's calls (default: the request timeout). */
  stateTimeoutMs = requestTimeoutMs,
): Promise<{ results: ScenarioResult[]; durationMs: number; faulted: Record<string, number> }> {
  const mock = createMock();
  const upstream = await mock.listen(0, '127.0.0.1');
  const proxy = createFaultProxy({ upstream: upstream.origin, rules: rules.map(parseFaultRule) });
  const { origin } = await proxy.listen(0, '127.0.0.1');
  const secrets = new SecretRegistry();
  try {
    const started = performance.now();
    const results = await runCatalogue({
      baseUrl: `${origin}/core/v1`,
      mode: 'state',
      envelope: 'flat',
      requestTimeoutMs,
      schemas: loadSchemas(),
      secrets,
      arranger: new ProviderStateArranger(`${origin}/_provider-states`, secrets, stateTimeoutMs),
    }, regenerateSecret);
    return { results, durationMs: Math.round(performance.now() - started), faulted: proxy.stats().faulted };
  } finally {
    await proxy.close();
    await mock.close();
  }
}

/** Faults of the state endpoint itself: every stateful scenario must be "not arranged", saying why. */
export const STATE_ENDPOINT_FAULTS: { rule: string; reason: (timeoutMs: number) => RegExp }[] = [
  { rule: 'stall@path=/_provider-states', reason: (t) => new RegExp(`did not answer the setup \\(no answer within ${t} ms\\)`) },
  { rule: 'reset@path=/_provider-states', reason: () => /did not answer the setup \(the connection was (reset|closed) before an answer\)/ },
  { rule: 'non-json@path=/_provider-states', reason: () => /answered the setup with HTTP 200 text\/html that is not JSON \(<!DOCTYPE html>/ },
  { rule: 'redirect@path=/_provider-states', reason: () => /answered the setup with HTTP 307/ },
];

// ------------------------------------------------------------ leak scan

export interface LeakRunResult {
  exitCode: number | null;
  durationMs: number;
  /** Secrets searched for, by where the test learnt them (independently of the suite). */
  secretsBySource: Record<string, number>;
  secretsSearched: number;
  files: number;
  entries: number;
  bytes: number;
  hits: string[];
  problems: string[];
  /** The suite's own leak-scan line. */
  suiteScanLine: string;
  verdict: string | undefined;
  run: SuiteRun;
}

export const DOTENV_SECRET_NAME = 'STAGING_API_SECRET';

/**
 * A full run against the reference mock (optionally with mock faults, such as
 * one that echoes the bearer into an error body) through a recording proxy;
 * then every secret the mock issued, every Authorization value the proxy saw
 * and a secret planted in the run's .env are searched for in every report and
 * in the run's output.
 */
export async function leakScanRun(options: { mockFaults?: FaultName[]; plantInReports?: boolean } = {}): Promise<LeakRunResult> {
  const mock: Mock = createMock({ faults: options.mockFaults });
  const upstream = await mock.listen(0, '127.0.0.1');
  const proxy: FaultProxy = createFaultProxy({ upstream: upstream.origin });
  const { origin } = await proxy.listen(0, '127.0.0.1');
  const envDir = mkdtempSync(path.join(tmpdir(), 'conformance-dotenv-'));
  const dotenvSecret = `dotenv-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}-staging`;
  writeFileSync(path.join(envDir, '.env'), `# a developer's .env\n${DOTENV_SECRET_NAME}=${dotenvSecret}\n`, { mode: 0o600 });
  try {
    const env: Record<string, string> = { BASE_URL: `${origin}/core/v1`, STATE_URL: `${origin}/_provider-states`, DOTENV_CONFIG_PATH: path.join(envDir, '.env') };
    const started = performance.now();
    const run = await runSuite(env, undefined, options.plantInReports ? (dir) => writeFileSync(path.join(dir, 'notes-from-a-ci-step.txt'), `debug: token=${dotenvSecret}\n`) : undefined);
    const durationMs = Math.round(performance.now() - started);
    const secrets: KnownSecret[] = [
      ...mock.issuedSecrets().map((value) => ({ value, source: 'issued by the mock' })),
      ...proxy.authorizationValues().flatMap((value) => [
        { value, source: 'Authorization value' },
        { value: value.replace(/^\S+\s+/, ''), source: 'Authorization credential' },
      ]),
      { value: dotenvSecret, source: `${DOTENV_SECRET_NAME} from .env` },
    ];
    const matcher = new SecretMatcher(secrets);
    const scan = scanForSecrets(matcher, { paths: [run.reportsDir], texts: [{ label: 'stdout+stderr', text: run.output }], base: run.reportsDir });
    const secretsBySource: Record<string, number> = {};
    for (const s of matcher.secrets) secretsBySource[s.source] = (secretsBySource[s.source] ?? 0) + 1;
    let verdict: string | undefined;
    try {
      verdict = run.json().verdict;
    } catch {
      verdict = undefined;
    }
    return {
      exitCode: run.code,
      durationMs,
      secretsBySource,
      secretsSearched: matcher.size,
      files: scan.files,
      entries: scan.entries,
      bytes: scan.bytes,
      hits: scan.hits.map((h) => `${h.where}:${h.line}:${h.column}: ${h.secret}, ${h.encoding}`),
      problems: formatScan({ ...scan, hits: [] }),
      suiteScanLine: run.output.split('\n').find((l) => l.startsWith('Leak scan:')) ?? '(no leak-scan line)',
      verdict,
      run,
    };
  } finally {
    await proxy.close();
    await mock.close();
    rmSync(envDir, { recursive: true, force: true });
  }
}
