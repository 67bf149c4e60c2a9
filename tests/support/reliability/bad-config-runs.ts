/**
 * Real runs of the conformance suite (`playwright test` in a child process)
 * under bad configuration: each returns figures; the tests and the reliability script judge them.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../../src/config/env.ts';
import { createMock, type MockAddress } from '../../../src/mock/server.ts';
import { runSuite } from '../run-suite.ts';
import { listen, STACK_FRAME } from './suite-run-support.ts';


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
  /** The report's coverage line and verdict reason ('' when there is no report). */
  coverageSummary: string;
  verdictReason: string;
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
  let coverageSummary = '';
  let verdictReason = '';
  try {
    const report = run.json();
    reportSaysFail = report.verdict === 'fail';
    coverageSummary = report.coverage?.summary ?? '';
    verdictReason = report.verdictReason ?? '';
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
    coverageSummary,
    verdictReason,
  };
}
