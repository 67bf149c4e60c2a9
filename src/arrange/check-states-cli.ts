/**
 * `npm run check-states -- --state-url URL` (and `katapult-conformance
 * check-states`): checks a provider-state endpoint on its own.
 *
 * Exit 0 when every state answers as the protocol asks, 1 when any state is
 * wrong, 2 for a usage problem (unknown flag, no or bad STATE_URL).
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadDotenv } from '../config/env.ts';
import { STATE_NAMES, type StateName } from '../protocol/provider-states.ts';
import { checkStates, renderStateChecks } from './check-states.ts';

export const CHECK_STATES_USAGE = `Sets up and tears down every state of the provider-state protocol once, through
STATE_URL, and prints per state what is wrong with its answers and how to fix it.
Sends no request to the API operation itself. Values are never printed.

Usage: check-states --state-url URL [--state NAME]... [--timeout-ms N]

Options:
  --state-url URL   the mock's provider-state endpoint (default: STATE_URL from the environment or .env)
  --state NAME      check only this state (repeatable); states: ${STATE_NAMES.join(', ')}
  --timeout-ms N    per-request timeout (default: REQUEST_TIMEOUT_MS, else 10000)
  -h, --help        show this help

Exit codes: 0 every state is right, 1 some state is wrong, 2 usage error.
`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Runs the command; resolves to its exit code. */
export async function runCheckStatesCli(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = processIo): Promise<number> {
  const usage = (message: string) => {
    io.err(`check-states: ${message}\nRun "check-states --help" for usage.\n`);
    return 2;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'state-url': { type: 'string' },
        state: { type: 'string', multiple: true },
        'timeout-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return usage((e as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
  if (values.help) {
    io.out(CHECK_STATES_USAGE);
    return 0;
  }
  loadDotenv(env);
  const stateUrl = (values['state-url'] ?? env.STATE_URL ?? '').trim();
  if (!stateUrl) return usage('no state endpoint: give --state-url URL (or set STATE_URL)');
  let url: URL;
  try {
    url = new URL(stateUrl);
  } catch {
    return usage(`--state-url "${stateUrl}" is not a URL; expected something like http://127.0.0.1:4010/_provider-states`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return usage(`--state-url "${stateUrl}" must be an http:// or https:// URL`);
  if (url.username || url.password) return usage('--state-url must not carry user:password@ (it would end up in logs)');

  const timeoutText = values['timeout-ms'] ?? env.REQUEST_TIMEOUT_MS ?? '10000';
  const timeoutMs = Number(timeoutText);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return usage(`the timeout "${timeoutText}" must be a positive whole number of milliseconds`);

  const states = values.state ?? [...STATE_NAMES];
  const unknown = states.filter((s) => !(STATE_NAMES as readonly string[]).includes(s));
  if (unknown.length) return usage(`unknown state ${unknown.map((s) => `"${s}"`).join(', ')}; states: ${STATE_NAMES.join(', ')}`);

  const checks = await checkStates(stateUrl, { timeoutMs, states: states as StateName[] });
  io.out(renderStateChecks(stateUrl, checks));
  return checks.some((c) => c.problems.length > 0) ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCheckStatesCli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`check-states: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
