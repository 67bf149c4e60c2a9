/**
 * `katapult-conformance test`: every setting of the suite as a flag. A flag
 * sets the environment variable of the same meaning for the run, so that the
 * environment and `.env` keep working and a flag wins over both.
 * Arguments that are not the suite's own go to Playwright (`--shard`, `-g`, …).
 */

export interface SettingFlag {
  flag: string;
  env: string;
  /** A boolean flag takes no value (`--allow-flaky` sets "true"). */
  boolean?: boolean;
  /** A path, made absolute against the current folder (Playwright would resolve it against the package). */
  path?: boolean;
  help: string;
}

export const SETTING_FLAGS: readonly SettingFlag[] = [
  { flag: '--base-url', env: 'BASE_URL', help: 'API base of the target, including /core/v1 (unset: the bundled mock)' },
  { flag: '--state-url', env: 'STATE_URL', help: "provider-state endpoint of a vendor's mock" },
  { flag: '--organization', env: 'KATAPULT_ORGANIZATION', help: 'live mode: organization id (org_…) or sub-domain' },
  { flag: '--api-token', env: 'KATAPULT_API_TOKEN', help: 'live mode: a token with the api_tokens scope (prefer the environment or .env: a flag shows in the process list)' },
  { flag: '--error-envelope', env: 'ERROR_ENVELOPE', help: 'flat (default) or wrapped' },
  { flag: '--request-timeout-ms', env: 'REQUEST_TIMEOUT_MS', help: 'per-request timeout, default 10000' },
  { flag: '--reports-dir', env: 'REPORTS_DIR', path: true, help: 'where reports go, default ./reports' },
  { flag: '--specs-dir', env: 'SPECS_DIR', path: true, help: "the OpenAPI documents, default the suite's own" },
  { flag: '--workers', env: 'CONFORMANCE_WORKERS', help: 'parallel workers, default 2' },
  { flag: '--require', env: 'CONFORMANCE_REQUIRE', help: 'arrangeable (default), all or none' },
  { flag: '--waivers', env: 'CONFORMANCE_WAIVERS', path: true, help: 'a waivers file' },
  { flag: '--baseline', env: 'CONFORMANCE_BASELINE', path: true, help: 'an earlier conformance.json to compare with' },
  { flag: '--retries', env: 'CONFORMANCE_RETRIES', help: 'retries per scenario, default 0' },
  { flag: '--allow-flaky', env: 'CONFORMANCE_ALLOW_FLAKY', boolean: true, help: 'a flaky scenario does not fail the gate' },
  { flag: '--secret-strength', env: 'SECRET_STRENGTH', help: 'warn (default) or fail' },
  { flag: '--live-rate-limit-burst', env: 'LIVE_RATE_LIMIT_BURST', boolean: true, help: 'live mode: opt in to the bounded rate-limit burst' },
  { flag: '--live-rate-limit-burst-max', env: 'LIVE_RATE_LIMIT_BURST_MAX', help: 'live mode: most requests of the burst, default 1000' },
  { flag: '--live-requests-per-second', env: 'LIVE_REQUESTS_PER_SECOND', help: 'live mode: pacing per process, default 2' },
  { flag: '--live-auth-sweep', env: 'LIVE_AUTH_SWEEP', boolean: true, help: 'live mode: opt in to the authentication-layer sweep' },
  { flag: '--env-file', env: 'DOTENV_CONFIG_PATH', path: true, help: 'read settings from this file instead of ./.env' },
];

/** Playwright options that `test` passes on (anything after `--` passes as well). */
const PLAYWRIGHT_WITH_VALUE = new Set(['--shard', '-g', '--grep', '--grep-invert', '--repeat-each', '--max-failures', '--timeout', '--global-timeout', '--project', '--output']);
const PLAYWRIGHT_BOOLEAN = new Set(['-x', '--last-failed', '--list', '--pass-with-no-tests', '--quiet', '--fail-on-flaky-tests', '--forbid-only', '--only-changed']);

export class UsageError extends Error {}

export interface ParsedTestArgs {
  /** Environment variables the flags set. */
  env: Record<string, string>;
  /** Arguments for `playwright test`. */
  playwright: string[];
}

/** Splits `test`'s arguments into settings and Playwright's arguments; throws UsageError. */
export function parseTestArgs(argv: readonly string[], cwd: string, resolve: (cwd: string, p: string) => string): ParsedTestArgs {
  const env: Record<string, string> = {};
  const playwright: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      playwright.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const setting = SETTING_FLAGS.find((f) => f.flag === name);
    if (setting) {
      let value: string;
      if (setting.boolean) value = inline ?? 'true';
      else if (inline !== undefined) value = inline;
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('-')) throw new UsageError(`${name} needs a value`);
        value = next;
        i++;
      }
      env[setting.env] = setting.path && value !== '' ? resolve(cwd, value) : value;
      continue;
    }
    if (PLAYWRIGHT_WITH_VALUE.has(name)) {
      playwright.push(arg);
      if (inline === undefined) {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`${name} needs a value`);
        playwright.push(next);
        i++;
      }
      continue;
    }
    if (PLAYWRIGHT_BOOLEAN.has(name) || !arg.startsWith('-')) {
      // A plain word is a Playwright file or title filter.
      playwright.push(arg);
      continue;
    }
    throw new UsageError(`unknown option ${name} (Playwright's own options go after --)`);
  }
  return { env, playwright };
}

export function settingFlagsHelp(): string {
  const width = Math.max(...SETTING_FLAGS.map((f) => f.flag.length + (f.boolean ? 0 : 4)));
  return SETTING_FLAGS.map((f) => `  ${(f.boolean ? f.flag : `${f.flag} VAL`).padEnd(width)}  ${f.env}: ${f.help}`).join('\n');
}
