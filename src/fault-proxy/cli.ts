/**
 * `npm run fault-proxy -- --upstream http://127.0.0.1:4010 --fault stall@scenario=403-permission_denied`
 *
 * Prints the BASE_URL and STATE_URL to give the suite (through the proxy),
 * stops on SIGINT / SIGTERM. Usage errors print one line and exit 2.
 */
import { parseArgs } from 'node:util';
import { createFaultProxy } from './proxy.ts';
import { describeRule, FAULT_MODES, FaultRuleError, parseFaultRule, type FaultRule } from './rules.ts';
import { pidLine, stopWithParent } from '../process/stop-with-parent.ts';

const USAGE = `Fault proxy: forwards to a target and breaks the transport on purpose.

Usage: npm run fault-proxy -- --upstream ORIGIN [options]

Options:
  --upstream ORIGIN   the target's origin, e.g. http://127.0.0.1:4010 (required)
  --fault MODE[@SCOPE][#N] break requests (repeatable; the first matching rule wins)
                      SCOPE: all (default: every request but the state endpoint), path=PREFIX,
                      state=NAME, scenario=ID (a scenario id of the suite's catalogue)
                      #N: break only the first N requests the rule selects (#1: a flaky target)
  --port N            port to listen on (default 4020; 0 = any free port)
  --host ADDRESS      address to listen on (default 127.0.0.1)
  --base-path PATH    the API's base path, for the printed BASE_URL (default /core/v1)
  --state-path PATH   the provider-state endpoint (default /_provider-states)
  --huge-bytes N      size of the huge-body answer (default 52428800, 50 MiB)
  --max-stall-ms N    drop a stalled request after this long (default 120000)
  --list-faults       list the fault modes, then exit
  -h, --help          show this help, then exit

Modes:
${Object.entries(FAULT_MODES)
  .map(([name, text]) => `  ${name.padEnd(10)} ${text}`)
  .join('\n')}

Example:
  npm run mock -- --port 4010 &
  npm run fault-proxy -- --upstream http://127.0.0.1:4010 --fault stall@scenario=403-permission_denied
  BASE_URL=http://127.0.0.1:4020/core/v1 STATE_URL=http://127.0.0.1:4020/_provider-states REQUEST_TIMEOUT_MS=2000 npx playwright test
`;

class UsageError extends Error {}

const int = (name: string, text: string | undefined, fallback: number, min: number, max: number) => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return n;
};

// Piped into `head` and the like: a closed stdout is not an error of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        upstream: { type: 'string' },
        fault: { type: 'string', multiple: true },
        port: { type: 'string' },
        host: { type: 'string' },
        'base-path': { type: 'string' },
        'state-path': { type: 'string' },
        'huge-bytes': { type: 'string' },
        'max-stall-ms': { type: 'string' },
        'list-faults': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`fault-proxy: ${(e as Error).message.split('. ')[0]}; see --help\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values['list-faults']) {
    for (const [name, text] of Object.entries(FAULT_MODES)) process.stdout.write(`${name.padEnd(10)} ${text}\n`);
    return 0;
  }
  let rules: FaultRule[];
  let port: number;
  let hugeBytes: number;
  let maxStallMs: number;
  let upstream: string;
  try {
    if (!values.upstream) throw new UsageError('--upstream is required, e.g. --upstream http://127.0.0.1:4010');
    try {
      const u = new URL(values.upstream);
      if (u.protocol !== 'http:') throw new Error();
      upstream = u.origin;
    } catch {
      throw new UsageError(`--upstream must be an http:// origin, got ${JSON.stringify(values.upstream)}`);
    }
    rules = (values.fault ?? []).flatMap((f) => f.split(',')).filter(Boolean).map(parseFaultRule);
    port = int('port', values.port, 4020, 0, 65535);
    hugeBytes = int('huge-bytes', values['huge-bytes'], 50 * 1024 * 1024, 16, 1024 * 1024 * 1024);
    maxStallMs = int('max-stall-ms', values['max-stall-ms'], 120_000, 1, 3_600_000);
  } catch (e) {
    if (e instanceof UsageError || e instanceof FaultRuleError) {
      process.stderr.write(`fault-proxy: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const proxy = createFaultProxy({ upstream, rules, statePath: values['state-path'], hugeBodyBytes: hugeBytes, maxStallMs });
  let origin: string;
  try {
    ({ origin } = await proxy.listen(port, values.host ?? '127.0.0.1'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(`fault-proxy: cannot listen on ${values.host ?? '127.0.0.1'}:${port} (${code === 'EADDRINUSE' ? 'the port is in use' : (code ?? (e as Error).message)})\n`);
    return 2;
  }
  const basePath = (values['base-path'] ?? '/core/v1').replace(/\/+$/, '');
  process.stdout.write(
    `Fault proxy listening on ${origin}, forwarding to ${upstream}\n` +
      `BASE_URL=${origin}${basePath}\nSTATE_URL=${origin}${values['state-path'] ?? '/_provider-states'}\n` +
      (rules.length ? `FAULTS ACTIVE:\n${rules.map((r) => `  ${describeRule(r)}`).join('\n')}\n` : 'No fault: everything is forwarded as it is.\n') +
      pidLine(),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    stopWithParent(stop);
  });
  await proxy.close();
  const s = proxy.stats();
  process.stdout.write(`Fault proxy stopped: ${s.requests} requests, ${s.forwarded} forwarded, ${Object.values(s.faulted).reduce((a, b) => a + b, 0)} broken on purpose.\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`fault-proxy: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
