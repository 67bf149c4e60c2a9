/**
 * ONE real run of the suite (`npx playwright test`) with SPECS_DIR pointing at
 * a folder holding the vendor's whole Core API document: derives its schemas
 * into the cache, starts the bundled mock, sweeps ~750 scenarios. It is the
 * most expensive run of `npm test`, so every test file that needs it shares it:
 * the first one to ask runs it, the others (other processes of the same
 * `node --test` run, which share its pid as their parent) wait for its reports.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runSuite } from './run-suite.ts';
import { CORE_DOCUMENT, coreDocumentMissing, specsFolder } from './sweep-target.ts';

export interface WholeApiRun {
  code: number | null;
  output: string;
  reportsDir: string;
  json(): any;
  file(name: string): string;
}

/** A generous hang guard, not a timing assertion: the run takes a minute or two on a busy 2-core machine. */
const HANG_GUARD_MS = 15 * 60_000;

function fromDir(dir: string): WholeApiRun {
  const meta = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as { code: number | null; output: string; reportsDir: string };
  return {
    ...meta,
    file: (name) => readFileSync(path.join(meta.reportsDir, name), 'utf8'),
    json: () => JSON.parse(readFileSync(path.join(meta.reportsDir, 'conformance.json'), 'utf8')),
  };
}

let mine: Promise<WholeApiRun> | undefined;

/** The shared run, or a reason to skip (loudly) when the vendor's document is not there. */
export async function wholeApiRun(): Promise<WholeApiRun | { skip: string }> {
  const missing = coreDocumentMissing('the whole-API run (SPECS_DIR with the Core API document)');
  if (missing) return { skip: missing };
  mine ??= shared();
  return mine;
}

/** The parent process's start time (Linux), so a later run under a reused pid never reads an old run. */
function parentStart(): string {
  try {
    return readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;
  } catch {
    return '0';
  }
}

async function shared(): Promise<WholeApiRun> {
  const dir = path.join(tmpdir(), `katapult-whole-api-run-${process.ppid}-${parentStart()}`);
  let owner = false;
  try {
    mkdirSync(dir);
    owner = true;
  } catch {
    // Another test process of this run is doing it (or did).
  }
  if (owner) {
    const specs = specsFolder({ 'katapult-core.openapi.json': CORE_DOCUMENT });
    const run = await runSuite({ SPECS_DIR: specs }, HANG_GUARD_MS);
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ code: run.code, output: run.output, reportsDir: run.reportsDir }));
    return fromDir(dir);
  }
  const deadline = Date.now() + HANG_GUARD_MS;
  while (!existsSync(path.join(dir, 'run.json'))) {
    if (Date.now() > deadline) throw new Error(`the shared whole-API run (${dir}) did not finish within the hang guard`);
    await sleep(500);
  }
  return fromDir(dir);
}
