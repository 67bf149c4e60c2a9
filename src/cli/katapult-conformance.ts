#!/usr/bin/env node
/**
 * `katapult-conformance`: the suite as a command, for use without a clone
 * (`npm install ./katapult-conformance-<version>.tgz`, then `npx
 * katapult-conformance …`). Installed, it runs the compiled JavaScript in
 * dist/; in a checkout (`npm run katapult-conformance -- …`) the TypeScript
 * through tsx. See docs/architecture.md ("The installable package").
 *
 * Exit codes: those of the command run (test: 0 conforms, 1 otherwise);
 * 2 for a usage error.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDotenv, REPO_ROOT } from '../config/env.ts';
import { main as schemasMain } from '../schema/cli.ts';
import { runCheckStatesCli } from '../arrange/check-states-cli.ts';
import { parseTestArgs, settingFlagsHelp, UsageError } from './test-flags.ts';
import { runVerifyCli } from './verify-cli.ts';
import { runMerge } from '../merge/merge-shards.ts';

const COMPILED = !fileURLToPath(import.meta.url).endsWith('.ts');
const EXT = COMPILED ? '.js' : '.ts';

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const USAGE = `katapult-conformance ${version()}: the conformance suite of the Katapult Core API operation
"Regenerate organization API token secret", with its reference mock.

Usage: katapult-conformance <command> [options]

Commands:
  test [flags] [-- playwright args]   run the suite; reports go to ./reports (or --reports-dir)
  mock [options]                      run the reference mock (--port, --personality live, --fault NAME; mock --help)
  check-states --state-url URL        check a provider-state endpoint alone (check-states --help)
  cleanup [--run-id ID] [--dry-run]   delete throwaway tokens a killed live run left behind
  schemas [--check] [--specs DIR] [--schemas DIR]   derive (or check) the JSON Schemas of the documents
  merge DIR [DIR…]                    merge the blobs of a sharded run (test --shard=i/n) into one run's
                                      reports in ./reports (or REPORTS_DIR) and exit by its verdict
  verify FILE                         check a conformance statement (reports/conformance-statement.json):
                                      its fingerprint, and that this suite version and these specs made it

  -h, --help      this help
  -v, --version   the suite's version

Settings of test (each also read from the environment and from ./.env; a flag wins):
${settingFlagsHelp()}

Other arguments of test go to Playwright: --shard=1/2, -g TEXT, --last-failed, … (or after --).

Exit codes: test 0 when the target conforms, 1 when a scenario failed or was not arranged,
the verdict is incomplete, nothing ran, a secret leaked or the configuration is unusable;
merge as test, for the merged run; check-states and verify 0 / 1; 2 for a usage error.
`;

/** The module of a subcommand, compiled or not. */
const modulePath = (rel: string) => fileURLToPath(new URL(`${rel}${EXT}`, import.meta.url));

/** Runs a Node script (TypeScript through tsx) as a child with the terminal; signals are passed on. Resolves to its exit code. */
function runNode(args: string[], env: NodeJS.ProcessEnv, typescript = !COMPILED): Promise<number> {
  const loader = typescript ? ['--import', import.meta.resolve('tsx')] : [];
  const child = spawn(process.execPath, [...loader, ...args], { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
    });
  });
}

/** The environment of a command run from the user's folder: its .env, unless another file is named. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  env.DOTENV_CONFIG_PATH ??= path.resolve('.env');
  return env;
}

async function test(argv: string[]): Promise<number> {
  const { env: flags, playwright } = parseTestArgs(argv, process.cwd(), path.resolve);
  const env = userEnv(flags);
  // Read .env here too: a REPORTS_DIR or SPECS_DIR in it must be taken relative to this folder.
  loadDotenv(env);
  env.REPORTS_DIR = path.resolve(env.REPORTS_DIR?.trim() || 'reports');
  for (const name of ['SPECS_DIR', 'CONFORMANCE_WAIVERS', 'CONFORMANCE_BASELINE']) {
    const v = env[name]?.trim();
    if (v) env[name] = path.resolve(v);
  }
  if (!env.CONFORMANCE_WAIVERS && existsSync('conformance.waivers.json')) env.CONFORMANCE_WAIVERS = path.resolve('conformance.waivers.json');
  // Playwright transpiles the checkout's TypeScript itself: no loader for it.
  return runNode([playwrightCli(), 'test', '-c', playwrightConfig(), ...playwright], env, false);
}

/** The suite's Playwright configuration: the compiled package-config installed, playwright.config.ts in a checkout. */
const playwrightConfig = () => (COMPILED ? modulePath('./package-config') : path.join(REPO_ROOT, 'playwright.config.ts'));
const playwrightCli = () => path.join(path.dirname(createRequire(import.meta.url).resolve('@playwright/test/package.json')), 'cli.js');

/** `merge DIR…`: as `npm run merge -- DIR…`, with REPORTS_DIR (and .env) taken from the user's folder as test takes them. */
function merge(argv: string[]): number {
  const env = userEnv();
  loadDotenv(env);
  return runMerge(argv, {
    command: 'katapult-conformance merge',
    reportsDir: path.resolve(env.REPORTS_DIR?.trim() || 'reports'),
    config: playwrightConfig(),
    playwrightCli: playwrightCli(),
    env,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
}

async function dispatch(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    case '-v':
    case '--version':
      process.stdout.write(`${version()}\n`);
      return 0;
    case 'test':
      return test(rest);
    case 'mock':
      return runNode([modulePath('../mock/cli'), ...rest], process.env);
    case 'cleanup':
      return runNode([modulePath('../arrange/live-cleanup-cli'), ...rest], userEnv());
    case 'check-states':
      return runCheckStatesCli(rest, userEnv());
    case 'schemas':
      return schemasMain(rest);
    case 'merge':
      return merge(rest);
    case 'verify': {
      const env = userEnv();
      loadDotenv(env);
      if (env.SPECS_DIR?.trim()) env.SPECS_DIR = path.resolve(env.SPECS_DIR.trim());
      return runVerifyCli(rest, env, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

dispatch(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`katapult-conformance: ${e.message}\nRun "katapult-conformance --help" for usage.\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`katapult-conformance: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
