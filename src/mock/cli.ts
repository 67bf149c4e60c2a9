/**
 * Runs the reference mock on its own:
 *
 *   npm run mock -- [--port 4010] [--host 127.0.0.1] [--fault NAME]... [--base-path /core/v1] [--log]
 *
 * Prints the BASE_URL and STATE_URL to give the suite, stops cleanly on
 * SIGINT / SIGTERM. Usage errors (unknown flag or fault, bad port, port in
 * use) print one clear line and exit 2. Nothing is logged per request unless
 * --log is given, and then only method, path, status and duration.
 */
import { parseArgs } from 'node:util';
import { FAULT_NAMES, FAULTS, UnknownFaultError, parseFaults, type FaultName } from './faults.ts';
import { PERSONALITY_NAMES, type PersonalityName } from './personality.ts';
import { createMock, type Mock } from './server.ts';
import { pidLine, stopWithParent } from '../process/stop-with-parent.ts';

const USAGE = `Katapult reference mock: "Regenerate organization API token secret" as documented,
plus the provider-state endpoint of the conformance contract; or, with --personality live,
as the vendor's live framework answers it (to rehearse the suite's live mode offline).

Usage: npm run mock -- [options]

Options:
  --port N           port to listen on (default 4010; 0 = any free port)
  --host ADDRESS     address to listen on (default 127.0.0.1)
  --base-path PATH   base path of the API (default /core/v1)
  --specs DIR        also serve the authentication layer (400, 403, 429, 503) of every operation of
                     the OpenAPI documents in DIR, e.g. a folder with the vendor's Core API document
  --fault NAME       break one documented behaviour on purpose (repeatable, or comma-separated);
                     see --list-faults
  --personality P    ${PERSONALITY_NAMES.join(' | ')} (default documented). live: wrapped errors with
                     x-api-schema: json-error, the framework's 400 codes for bad input, token
                     list/create/delete, a per-token rate limit, no provider-state endpoint; an
                     organization and an admin token are created and printed
  --log              log method, path, status and duration of every request (never headers or bodies)
  --list-faults      list the fault names with a description, then exit
  -h, --help         show this help, then exit

Then point the suite at it, e.g.:
  BASE_URL=http://127.0.0.1:4010/core/v1 STATE_URL=http://127.0.0.1:4010/_provider-states npx playwright test
or, with --personality live, use the BASE_URL, KATAPULT_API_TOKEN and KATAPULT_ORGANIZATION it prints:
  BASE_URL=… KATAPULT_API_TOKEN=… KATAPULT_ORGANIZATION=… ERROR_ENVELOPE=wrapped npx playwright test
`;

class UsageError extends Error {}

interface CliOptions {
  port: number;
  host: string;
  basePath: string;
  faults: FaultName[];
  personality: PersonalityName;
  log: boolean;
  specsDir?: string;
}

function parse(argv: string[]): CliOptions | 'help' | 'list-faults' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'base-path': { type: 'string' },
        specs: { type: 'string' },
        fault: { type: 'string', multiple: true },
        personality: { type: 'string' },
        log: { type: 'boolean' },
        'list-faults': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    const message = e instanceof Error ? e.message.split('. ')[0]! : String(e);
    throw new UsageError(message.replace(/\.$/, ''));
  }
  if (values.help) return 'help';
  if (values['list-faults']) return 'list-faults';

  const portText = values.port ?? '4010';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(portText)}`);

  const personality = values.personality ?? 'documented';
  if (!(PERSONALITY_NAMES as readonly string[]).includes(personality)) {
    throw new UsageError(`unknown personality ${JSON.stringify(personality)}; known: ${PERSONALITY_NAMES.join(', ')}`);
  }

  let faults: FaultName[];
  try {
    faults = parseFaults((values.fault ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean));
  } catch (e) {
    if (e instanceof UnknownFaultError) throw new UsageError(`${e.message} (see --list-faults)`);
    throw e;
  }

  return {
    port,
    host: values.host ?? '127.0.0.1',
    basePath: values['base-path'] ?? '/core/v1',
    faults,
    personality: personality as PersonalityName,
    log: values.log ?? false,
    specsDir: values.specs,
  };
}

function listenError(e: unknown, options: CliOptions): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const where = `${options.host}:${options.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${options.port} on ${options.host} is already in use; choose another with --port (0 = any free port)`;
    case 'EACCES':
      return `not allowed to listen on ${where}; choose a port above 1023 with --port`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on host ${JSON.stringify(options.host)}: not an address of this machine`;
    default:
      return `cannot listen on ${where}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function usageFailure(message: string): never {
  process.stderr.write(`mock: ${message}\nRun "npm run mock -- --help" for usage.\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) usageFailure(e.message);
    throw e;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed === 'list-faults') {
    const width = Math.max(...FAULT_NAMES.map((n) => n.length));
    for (const name of FAULT_NAMES) process.stdout.write(`${name.padEnd(width)}  ${FAULTS[name].description}\n`);
    return;
  }
  const options = parsed;

  let mock: Mock;
  try {
    mock = createMock({
      personality: options.personality,
      faults: options.faults,
      basePath: options.basePath,
      specsDir: options.specsDir,
      onResponse: options.log
        ? (e) => process.stdout.write(`${e.method} ${e.path} ${e.status} ${e.durationMs.toFixed(1)}ms\n`)
        : undefined,
    });
  } catch (e) {
    usageFailure(e instanceof Error ? e.message : String(e));
  }

  let address;
  try {
    address = await mock.listen(options.port, options.host);
  } catch (e) {
    usageFailure(listenError(e, options));
  }

  const account = mock.live;
  process.stdout.write(
    `Katapult reference mock (${options.personality} personality) listening on ${address.origin}\n` +
      `BASE_URL=${address.baseUrl}\n` +
      (account === undefined
        ? `STATE_URL=${address.stateUrl}\n`
        : // The mock's own made-up admin token: printing it is the point (it exists only in this process).
          `KATAPULT_API_TOKEN=${account.adminToken}\n` +
          `KATAPULT_ORGANIZATION=${account.organization.sub_domain}\n` +
          `ERROR_ENVELOPE=wrapped\n` +
          `No provider-state endpoint (as on the vendor's staging): run the suite in live mode with the values above.\n`) +
      (options.faults.length === 0
        ? 'Faults: none\n'
        : `FAULTS ACTIVE (this mock does NOT conform on purpose):\n${options.faults.map((n) => `  ${n}: ${FAULTS[n].description}\n`).join('')}`) +
      pidLine(),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals | 'its parent process ended') => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => {
      process.stderr.write('mock: connections did not close in time; exiting\n');
      process.exit(1);
    }, 5000);
    force.unref();
    mock.close().then(
      () => {
        process.stdout.write(`mock: stopped (${signal})\n`);
        process.exit(0);
      },
      (e: unknown) => {
        process.stderr.write(`mock: error while stopping: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  stopWithParent(() => stop('its parent process ended'));
}

main().catch((e: unknown) => {
  process.stderr.write(`mock: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
