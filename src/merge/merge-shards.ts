/**
 * Merges the blobs of a sharded run (`--shard=i/n` leaves each in
 * <REPORTS_DIR>/blob/) into the reports of one run, and exits as a plain run
 * would: 0 on PASS, 1 on FAIL or INCOMPLETE or a leak, 2 on a usage error.
 * Playwright's own merge-reports takes one folder and exits 0 by design; this
 * copies every blob (and its leak-digest file) of every folder into one
 * temporary folder, runs merge-reports with the suite's configuration (which
 * lists the suite's reporters for a merge), and then exits by the merged
 * verdict and the merged leak scan. Two commands run it: `npm run merge` in a
 * checkout (cli.ts) and `katapult-conformance merge` (src/cli/).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DIGEST_FILE_SUFFIX } from '../leak/digests.ts';
import { MERGE_ENV } from '../report/shard.ts';

export function mergeUsage(command: string): string {
  return `Usage: ${command} DIR [DIR…]

Merges the blob reports of a sharded run (each "--shard=i/n" run
leaves its blob in <REPORTS_DIR>/blob/) into one run's reports in REPORTS_DIR
(default reports/): conformance.html, conformance.json, junit.xml, Playwright's
HTML report and the leak scan. DIR may hold the blobs directly or in subfolders
(as CI artifacts are downloaded). Exits 0 when the merged run passes, 1 when it
fails, is incomplete or a secret leaked, 2 on a usage error.`;
}

export interface MergeSetup {
  /** How the user typed the command ("npm run merge --"), for the usage text and messages. */
  command: string;
  /** REPORTS_DIR, absolute: the merged reports go there. */
  reportsDir: string;
  /** The Playwright configuration to merge with (its reporters are the suite's). */
  config: string;
  /** Playwright's cli.js. */
  playwrightCli: string;
  /** The environment of merge-reports (REPORTS_DIR and the merge folder are set on top). */
  env: NodeJS.ProcessEnv;
  /** The folder merge-reports runs in; the DIRs are taken relative to the current folder. */
  cwd?: string;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Every file under `dir` (subfolders included, links not followed) whose name matches. */
function filesUnder(dir: string, match: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(path.join(p, e));
    else if (st.isFile() && match(path.basename(p))) out.push(p);
  };
  walk(dir);
  return out;
}

class MergeError extends Error {
  constructor(
    message: string,
    readonly code = 2,
  ) {
    super(message);
  }
}

function fail(message: string, code = 2): never {
  throw new MergeError(message, code);
}

function readVerdict(file: string): string | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')).verdict;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the merge of `argv` (the DIRs, or --help); resolves to the exit code. Messages go to setup.out / setup.err. */
export function runMerge(argv: string[], setup: MergeSetup): number {
  try {
    return merge(argv, setup);
  } catch (e) {
    if (!(e instanceof MergeError)) throw e;
    setup.err(`${setup.command.replace(/ --$/, '')}: ${e.message}\n`);
    return e.code;
  }
}

function merge(argv: string[], setup: MergeSetup): number {
  const usage = mergeUsage(setup.command);
  let dirs: string[];
  try {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      setup.out(`${usage}\n`);
      return 0;
    }
    dirs = positionals;
  } catch (e) {
    fail(`${(e as Error).message}\n\n${usage}`);
  }
  if (!dirs.length) fail(`name at least one folder of blobs\n\n${usage}`);
  const { reportsDir } = setup;
  const staging = mkdtempSync(path.join(tmpdir(), 'conformance-merge-'));
  try {
    let blobs = 0;
    const names = new Set<string>();
    for (const dir of dirs) {
      const abs = path.resolve(dir);
      if (!existsSync(abs) || !lstatSync(abs).isDirectory()) fail(`${dir} is not a folder`);
      // The merged reports are not inputs: a blob folder inside REPORTS_DIR is fine, REPORTS_DIR itself holds no blobs.
      for (const file of filesUnder(abs, (n) => n.endsWith('.zip') || n.endsWith(DIGEST_FILE_SUFFIX))) {
        let name = path.basename(file);
        // Two artifacts may hold files of the same name: keep both.
        for (let i = 2; names.has(name); i++) name = `${i}-${path.basename(file)}`;
        names.add(name);
        copyFileSync(file, path.join(staging, name));
        if (name.endsWith('.zip')) blobs++;
      }
    }
    if (!blobs) fail(`no blob (*.zip) found in ${dirs.join(', ')}: each shard leaves its blob in <REPORTS_DIR>/blob/ (run "npx playwright test --shard=i/n")`);
    mkdirSync(reportsDir, { recursive: true });
    // Stale reports of an earlier run must not pass for this merge's.
    for (const f of ['conformance.json', 'conformance.html', 'junit.xml', 'leak-scan.json']) rmSync(path.join(reportsDir, f), { force: true });
    const child = spawnSync(process.execPath, [setup.playwrightCli, 'merge-reports', '--config', setup.config, staging], {
      cwd: setup.cwd,
      stdio: 'inherit',
      env: { ...setup.env, [MERGE_ENV]: staging, REPORTS_DIR: reportsDir },
    });
    const verdict = readVerdict(path.join(reportsDir, 'conformance.json'));
    const leak = readVerdict(path.join(reportsDir, 'leak-scan.json'));
    if (child.status !== 0) fail(`Playwright's merge-reports exited ${child.status ?? child.signal}; the merged reports are not complete`, 1);
    if (!verdict) fail('the merge wrote no conformance.json: the merged run has no verdict', 1);
    if (!leak) fail('the merge wrote no leak-scan.json: the merged reports were not scanned for secrets', 1);
    const code = verdict === 'pass' && leak === 'pass' ? 0 : 1;
    setup.out(`Merged ${blobs} blob${blobs === 1 ? '' : 's'}: verdict ${verdict.toUpperCase()}, leak scan ${leak.toUpperCase()}; exit ${code}.\n`);
    return code;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
