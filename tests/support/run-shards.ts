/**
 * Runs the real suite as shards (`playwright test --shard=i/n`, all at once,
 * into one shared reports folder as CI jobs on one machine might) and merges
 * them with `npm run merge`, in child processes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.ts';

export interface Proc {
  code: number | null;
  output: string;
}

const SUITE_VARS = ['BASE_URL', 'STATE_URL', 'KATAPULT_API_TOKEN', 'KATAPULT_ORGANIZATION', 'ERROR_ENVELOPE', 'REQUEST_TIMEOUT_MS', 'CONFORMANCE_BUNDLED_MOCK', 'REPORTS_DIR', 'SPECS_DIR', 'CONFORMANCE_SECRETS_FILE', 'CONFORMANCE_RUN_ID', 'CONFORMANCE_REQUIRE', 'CONFORMANCE_RETRIES', 'CONFORMANCE_ALLOW_FLAKY', 'CONFORMANCE_MERGE_DIR', 'CONFORMANCE_SCHEMAS_DIR', 'CONFORMANCE_WAIVERS', 'CONFORMANCE_BASELINE', 'GITHUB_STEP_SUMMARY', 'LIVE_RATE_LIMIT_BURST', 'LIVE_RATE_LIMIT_BURST_MAX', 'LIVE_REQUESTS_PER_SECOND', 'LIVE_AUTH_SWEEP'];

export function childEnv(env: Record<string, string>, reportsDir: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const v of SUITE_VARS) delete out[v];
  return { ...out, DOTENV_CONFIG_PATH: path.join(reportsDir, 'no.env'), REPORTS_DIR: reportsDir, FORCE_COLOR: '0', CI: '', CONFORMANCE_WORKERS: '1', ...env };
}

export function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    // A hang guard only, generous for a busy machine.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const PLAYWRIGHT = path.join(REPO_ROOT, 'node_modules/@playwright/test/cli.js');
const TSX = path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');

/** Every shard of n at once, into one reports folder; returns the folder and each shard's run. */
export async function runShards(n: number, env: Record<string, string>, extraArgs: string[] = []): Promise<{ reportsDir: string; shards: Proc[] }> {
  const reportsDir = mkdtempSync(path.join(tmpdir(), 'conformance-shards-'));
  const shards = await Promise.all(Array.from({ length: n }, (_, i) => run([PLAYWRIGHT, 'test', `--shard=${i + 1}/${n}`, ...extraArgs], childEnv(env, reportsDir))));
  return { reportsDir, shards };
}

export async function runMerge(dirs: string[], env: Record<string, string> = {}, reportsDir = mkdtempSync(path.join(tmpdir(), 'conformance-merged-'))): Promise<Proc & { reportsDir: string }> {
  const p = await run([TSX, 'src/merge/cli.ts', ...dirs], childEnv(env, reportsDir));
  return { ...p, reportsDir };
}

export async function runPlain(env: Record<string, string>, extraArgs: string[] = []): Promise<Proc & { reportsDir: string }> {
  const reportsDir = mkdtempSync(path.join(tmpdir(), 'conformance-run-'));
  const p = await run([PLAYWRIGHT, 'test', ...extraArgs], childEnv(env, reportsDir));
  return { ...p, reportsDir };
}
