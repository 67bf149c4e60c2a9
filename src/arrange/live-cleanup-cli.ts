/**
 * `npm run cleanup`: deletes the throwaway tokens that live runs left in the
 * organization (names starting with conformance-suite-), for any run: one
 * stopped hard (a second Ctrl-C, a killed CI job) or one whose end-of-run
 * sweep failed. Uses BASE_URL, KATAPULT_API_TOKEN and KATAPULT_ORGANIZATION
 * from the environment or .env, like the suite.
 *
 *   npm run cleanup                        # every run's leftovers
 *   npm run cleanup -- --run-id ID         # one run's (the id is in its output and report)
 *   npm run cleanup -- --dry-run           # list them, delete nothing
 *
 * Exit 0 when nothing is left, 1 when some token could not be deleted, 2 for
 * a usage or configuration problem. Only names are printed, never secrets.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadDotenv } from '../config/env.ts';
import { Pacer } from '../engine/pacer.ts';
import { SecretRegistry } from '../model/redact.ts';
import { LiveApi } from './live-api.ts';
import { runPrefix, THROWAWAY_PREFIX } from './live-names.ts';

const USAGE = `Deletes the throwaway API tokens that the suite's live mode left in KATAPULT_ORGANIZATION
(tokens named ${THROWAWAY_PREFIX}…), through the API at BASE_URL with KATAPULT_API_TOKEN.

Usage: npm run cleanup -- [--run-id ID] [--dry-run]

Options:
  --run-id ID   only the tokens of one run (named ${THROWAWAY_PREFIX}ID-…)
  --dry-run     list what would be deleted, delete nothing
  -h, --help    show this help
`;

function fail(message: string, code: number): never {
  process.stderr.write(`cleanup: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: { 'run-id': { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    fail(`${(e as Error).message.split('. ')[0]} (see --help)`, 2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const runId = values['run-id'];
  if (runId !== undefined && !/^[A-Za-z0-9-]+$/.test(runId)) fail(`--run-id must be letters, digits and dashes, got ${JSON.stringify(runId)}`, 2);

  loadDotenv();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    throw e;
  }
  if (config.mode !== 'live' || !config.baseUrl || !config.live) {
    fail('needs the live-mode configuration: set BASE_URL, KATAPULT_API_TOKEN and KATAPULT_ORGANIZATION (environment or .env)', 2);
  }
  const secrets = new SecretRegistry();
  secrets.add(config.live.token);
  const api = new LiveApi({ baseUrl: config.baseUrl, credentials: config.live, timeoutMs: config.requestTimeoutMs, secrets, pacer: new Pacer(config.liveRequestsPerSecond) });
  const prefix = runId === undefined ? THROWAWAY_PREFIX : runPrefix(runId);
  const dryRun = values['dry-run'] ?? false;

  let result;
  try {
    result = await api.deleteByPrefix(prefix, dryRun);
  } catch (e) {
    fail(secrets.redactText(`could not list the API tokens of ${api.organizationLabel}: ${(e as Error).message}`), 1);
  }
  for (const t of result.deleted) process.stdout.write(`${dryRun ? 'would delete' : 'deleted'} ${t.id} ${t.name}\n`);
  for (const f of result.failed) process.stderr.write(secrets.redactText(`could not delete ${f.token.id} ${f.token.name}: ${f.error}\n`));
  process.stdout.write(
    `${dryRun ? 'Would delete' : 'Deleted'} ${result.deleted.length} throwaway token(s) named ${prefix}… in ${api.organizationLabel}` +
      (result.failed.length ? `; ${result.failed.length} could not be deleted` : '') +
      '.\n',
  );
  if (result.failed.length) process.exit(1);
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e), 1));
