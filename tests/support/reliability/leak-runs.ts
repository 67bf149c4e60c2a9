/**
 * A real run of the conformance suite through a recording proxy, for the leak scan: figures to judge.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFaultProxy, type FaultProxy } from '../../../src/fault-proxy/proxy.ts';
import { createMock, type FaultName, type Mock } from '../../../src/mock/server.ts';
import { formatScan, scanForSecrets, SecretMatcher, type KnownSecret } from '../../../src/leak/scan.ts';
import { runSuite, type SuiteRun } from '../run-suite.ts';


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
