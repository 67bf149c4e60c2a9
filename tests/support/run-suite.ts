/**
 * Runs the real conformance suite (`npx playwright test`) in a child process
 * with the given environment and a temporary reports folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.ts';

/** Live-mode variables: never inherited either. */
const LIVE_VARS = ['LIVE_RATE_LIMIT_BURST_MAX', 'LIVE_REQUESTS_PER_SECOND', 'CONFORMANCE_RUN_ID'];

/**
 * Each hook gets every `playwright test` process this module spawns, as it
 * starts (the live-mode tests interrupt a run with SIGINT). Add and remove
 * around one run.
 */
export const onSuiteSpawn = new Set<(child: ChildProcess) => void>();

export interface SuiteRun {
  code: number | null;
  output: string;
  reportsDir: string;
  json(): any;
  file(name: string): string;
}

/** Variables of the suite that must not leak in from the developer's shell or .env. */
const SUITE_VARS = ['BASE_URL', 'STATE_URL', 'KATAPULT_API_TOKEN', 'KATAPULT_ORGANIZATION', 'ERROR_ENVELOPE', 'REQUEST_TIMEOUT_MS', 'LIVE_RATE_LIMIT_BURST', 'CONFORMANCE_BUNDLED_MOCK', 'REPORTS_DIR', 'SPECS_DIR', 'CONFORMANCE_SECRETS_FILE', 'CONFORMANCE_SCHEMAS_DIR', 'CONFORMANCE_WAIVERS', 'CONFORMANCE_BASELINE', 'GITHUB_STEP_SUMMARY', 'CONFORMANCE_REQUIRE', 'CONFORMANCE_RETRIES', 'CONFORMANCE_ALLOW_FLAKY', 'LIVE_AUTH_SWEEP'];

/**
 * Only catches a hang: a full run ends by itself far sooner, but on a shared
 * 2-core machine under load a run with many failing scenarios (Playwright
 * replaces its worker process after each) can take minutes.
 */
export const SUITE_RUN_HANG_GUARD_MS = 360_000;

/** `prepare` may put files in the reports folder before the run (the leak tests plant one there). */
export function runSuite(env: Record<string, string>, timeoutMs = SUITE_RUN_HANG_GUARD_MS, prepare?: (reportsDir: string) => void): Promise<SuiteRun> {
  const reportsDir = mkdtempSync(path.join(tmpdir(), 'conformance-run-'));
  prepare?.(reportsDir);
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const v of [...SUITE_VARS, ...LIVE_VARS]) delete childEnv[v];
  // An empty .env path keeps a developer's own .env out of the test.
  Object.assign(childEnv, { DOTENV_CONFIG_PATH: path.join(reportsDir, 'no.env'), REPORTS_DIR: reportsDir, FORCE_COLOR: '0', CI: '' }, env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules/@playwright/test/cli.js'), 'test'], { cwd: REPO_ROOT, env: childEnv });
    for (const hook of onSuiteSpawn) hook(child);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the suite did not finish within ${timeoutMs} ms (the hang guard):\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        output,
        reportsDir,
        file: (name) => readFileSync(path.join(reportsDir, name), 'utf8'),
        json: () => {
          const p = path.join(reportsDir, 'conformance.json');
          if (!existsSync(p)) throw new Error(`no conformance.json was written; output:\n${output}`);
          return JSON.parse(readFileSync(p, 'utf8'));
        },
      });
    });
  });
}
