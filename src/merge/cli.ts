/**
 * `npm run merge -- DIR…` in a checkout: merges the blobs of a sharded run
 * into REPORTS_DIR (relative to the repository) with playwright.config.ts.
 * The merge itself, and its exit codes, are merge-shards.ts's; installed, the
 * same merge is `katapult-conformance merge DIR…`.
 */
import path from 'node:path';
import { loadDotenv, REPO_ROOT } from '../config/env.ts';
import { runMerge } from './merge-shards.ts';

loadDotenv();
process.exitCode = runMerge(process.argv.slice(2), {
  command: 'npm run merge --',
  reportsDir: path.resolve(REPO_ROOT, process.env.REPORTS_DIR || 'reports'),
  config: path.join(REPO_ROOT, 'playwright.config.ts'),
  playwrightCli: path.join(REPO_ROOT, 'node_modules/@playwright/test/cli.js'),
  env: process.env,
  cwd: REPO_ROOT,
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
