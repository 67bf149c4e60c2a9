/**
 * Real and in-process runs of the conformance suite behind the fault proxy
 * (a target, or a state endpoint, that misbehaves on the wire): figures to judge.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createFaultProxy } from '../../../src/fault-proxy/proxy.ts';
import { parseFaultRule } from '../../../src/fault-proxy/rules.ts';
import { createMock } from '../../../src/mock/server.ts';
import { regenerateSecret } from '../../../src/operations/regenerate-secret/index.ts';
import { runCatalogue } from '../../../src/runner/run-catalogue.ts';
import type { ScenarioResult } from '../../../src/engine/run-scenario.ts';
import { SecretRegistry } from '../../../src/model/redact.ts';
import { ProviderStateArranger } from '../../../src/arrange/provider-state-arranger.ts';
import { loadSchemas } from '../../../src/operations/run-schemas.ts';
import { runSuite } from '../run-suite.ts';
import { REPORT_FILES } from './suite-run-support.ts';
const { catalogue } = regenerateSecret;


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
