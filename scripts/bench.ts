/**
 * Benchmark: prints, measured in one run,
 *  1. the full conformance suite's wall time against the bundled mock next to
 *     a trivial Playwright API run's (target: at most 2x), and
 *  2. the mock's throughput on the operation next to a bare node:http server's
 *     under the same load generator (autocannon; target: at least 50%), and
 *  3. the whole-API authentication-layer sweep against the bundled mock
 *     (SPECS_DIR with the vendor's Core API document, BENCH_CORE_DOCUMENT):
 *     scenarios, wall time and scenarios per second, next to the one-operation
 *     run, for the real `playwright test` run and for the in-process engine.
 * Figures only: nothing here passes or fails on timing.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { REPO_ROOT } from '../src/config/env.ts';
import { referenceFile } from '../tests/support/reference.ts';
import { createMock } from '../src/mock/server.ts';
import { regenerateSecret } from '../src/operations/registry.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PLAYWRIGHT = path.join(REPO_ROOT, 'node_modules/@playwright/test/cli.js');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const CORE_DOCUMENT = process.env.BENCH_CORE_DOCUMENT ?? referenceFile('katapult-core-openapi.json');

function wallTime(args: string[], extraEnv: Record<string, string> = {}, onReports?: (dir: string) => void): number {
  const reportsDir = mkdtempSync(path.join(tmpdir(), 'bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env, REPORTS_DIR: reportsDir, DOTENV_CONFIG_PATH: path.join(reportsDir, "none.env"), ...extraEnv };
  for (const v of ['BASE_URL', 'STATE_URL', 'KATAPULT_API_TOKEN', 'KATAPULT_ORGANIZATION', 'ERROR_ENVELOPE']) delete env[v];
  const started = performance.now();
  const r = spawnSync(process.execPath, [PLAYWRIGHT, 'test', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`playwright test ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  onReports?.(reportsDir);
  return ms;
}

async function load(url: string, headers: Record<string, string>, body: string): Promise<{ rps: number; p99: number; errors: number; non2xx: number }> {
  const result = await autocannon({ url, method: 'POST', headers, body, connections: CONNECTIONS, duration: LOAD_SECONDS });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

async function main() {
  console.log(`Benchmark on ${process.platform}/${process.arch}, node ${process.version}; ${RUNS} runs each, load ${LOAD_SECONDS}s × ${CONNECTIONS} connections\n`);

  const trivial = [];
  const suite = [];
  const longest: { id: string; ms: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    trivial.push(wallTime(['-c', 'scripts/bench/trivial.config.ts']));
    suite.push(
      wallTime([], {}, (dir) => {
        const report = JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')) as { scenarios: { id: string; durationMs: number }[] };
        const top = report.scenarios.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
        longest.push({ id: top.id, ms: top.durationMs });
      }),
    );
  }
  const t = median(trivial);
  const s = median(suite);
  console.log('1. Wall time (median)');
  console.log(`   trivial Playwright API run:         ${(t / 1000).toFixed(2)} s   (runs: ${trivial.map((x) => (x / 1000).toFixed(2)).join(', ')})`);
  console.log(`   full conformance suite, bundled:    ${(s / 1000).toFixed(2)} s   (runs: ${suite.map((x) => (x / 1000).toFixed(2)).join(', ')})`);
  console.log(`   ratio suite / trivial:              ${(s / t).toFixed(2)}x   (target: at most 2x) ${s / t <= 2 ? 'MET' : 'NOT MET'}`);
  // The floor of the suite's wall time: its longest scenario (the durability one waits over a second by design).
  const top = longest.sort((a, b) => a.ms - b.ms)[Math.floor(longest.length / 2)]!;
  console.log(`   longest scenario (median run):      ${(top.ms / 1000).toFixed(2)} s   ${top.id}\n`);

  // The mock: regenerate one token's secret over and over with an admin bearer that stays valid.
  const mock = createMock();
  const address = await mock.listen(0, '127.0.0.1');
  const state = await (await fetch(address.stateUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'bench' }, action: 'setup' }) })).json();
  const mockLoad = await load(`${address.baseUrl}/api_tokens/api_token/regenerate_secret`, { 'content-type': 'application/json', authorization: `Bearer ${state.bearer}` }, JSON.stringify({ api_token: { id: state.api_token.id } }));
  await mock.close();

  // The floor: a bare node:http server that reads the body and answers a fixed JSON document of the same size class.
  const fixed = JSON.stringify({ api_token: { id: 'x'.repeat(20), name: 'bench', organization_id: 'org', authorized_ip_addresses: [], expires_at: null, rate_limit: 600, scopes: ['api_tokens'], secret: 'y'.repeat(43) } });
  const bare = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(fixed);
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const port = (bare.address() as { port: number }).port;
  const bareLoad = await load(`http://127.0.0.1:${port}/`, { 'content-type': 'application/json', authorization: 'Bearer x' }, JSON.stringify({ api_token: { id: 'x' } }));
  bare.closeAllConnections();
  await new Promise((r) => bare.close(r));

  const ratio = mockLoad.rps / bareLoad.rps;
  console.log('2. Throughput (autocannon, same settings)');
  console.log(`   bare node:http server:              ${bareLoad.rps.toFixed(0)} req/s   p99 ${bareLoad.p99} ms   errors ${bareLoad.errors}`);
  console.log(`   reference mock, regenerate secret:  ${mockLoad.rps.toFixed(0)} req/s   p99 ${mockLoad.p99} ms   errors ${mockLoad.errors}, non-2xx ${mockLoad.non2xx}`);
  console.log(`   ratio mock / bare:                  ${(ratio * 100).toFixed(0)}%   (target: at least 50%) ${ratio >= 0.5 ? 'MET' : 'NOT MET'}\n`);

  await wholeApiSweep(s);
}

/** 3. The whole Core API: one real run with SPECS_DIR, and the same sweep through the in-process engine. */
async function wholeApiSweep(oneOperationMs: number): Promise<void> {
  console.log('3. Whole-API authentication-layer sweep against the bundled mock');
  if (!existsSync(CORE_DOCUMENT)) {
    console.log(`   SKIPPED: the vendor's Core API document was not found${process.env.BENCH_CORE_DOCUMENT ? ` at ${CORE_DOCUMENT}` : ''}; set BENCH_CORE_DOCUMENT to its katapult-core-openapi.json`);
    return;
  }
  const specs = mkdtempSync(path.join(tmpdir(), 'bench-specs-'));
  copyFileSync(CORE_DOCUMENT, path.join(specs, 'katapult-core.openapi.json'));
  const count = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')).scenarios as unknown[]).length;
  const oneOperation = regenerateSecret.catalogue.length;
  // The first run derives the schemas into the cache; the measured one reuses them, as every later run does.
  wallTime([], { SPECS_DIR: specs });
  let whole = 0;
  const wholeMs = wallTime([], { SPECS_DIR: specs }, (dir) => (whole = count(dir)));
  const row = (label: string, n: number, ms: number) => console.log(`   ${label.padEnd(36)}${String(n).padStart(4)} scenarios   ${(ms / 1000).toFixed(2).padStart(6)} s   ${(n / (ms / 1000)).toFixed(1).padStart(7)} scenarios/s`);
  row('one operation (playwright test):', oneOperation, oneOperationMs);
  row('whole API (SPECS_DIR, playwright):', whole, wholeMs);

  const { chooseSchemas } = await import('../src/suite/schemas-cache.ts');
  const { loadSchemaSet } = await import('../src/schema/schema-set.ts');
  const { ResponseValidator } = await import('../src/schema/validator.ts');
  const { sweepDescriptors } = await import('../src/sweep/descriptors.ts');
  const { runOperations } = await import('../src/runner/run-catalogue.ts');
  const { SecretRegistry } = await import('../src/model/redact.ts');
  const { ProviderStateArranger } = await import('../src/arrange/provider-state-arranger.ts');
  const planned = sweepDescriptors(specs).flatMap((operation) => operation.catalogue.map((scenario) => ({ operation, scenario })));
  const schemas = new ResponseValidator(loadSchemaSet(chooseSchemas(specs).dir));
  const mock = createMock({ specsDir: specs });
  const address = await mock.listen(0, '127.0.0.1');
  const secrets = new SecretRegistry();
  const target = { baseUrl: address.baseUrl, mode: 'state' as const, envelope: 'flat' as const, requestTimeoutMs: 10_000, schemas, secrets, arranger: new ProviderStateArranger(address.stateUrl, secrets, 10_000) };
  const started = performance.now();
  const results = await runOperations(target, planned, 8);
  const inProcessMs = performance.now() - started;
  await mock.close();
  row('sweep only (in-process engine):', results.length, inProcessMs);
  const failed = results.filter((r) => r.outcome === 'failed').length;
  if (failed) throw new Error(`the in-process sweep failed ${failed} scenarios against the bundled mock`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
