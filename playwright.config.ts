/**
 * The conformance suite. `npx playwright test` runs every scenario of the
 * catalogue against BASE_URL (or the bundled reference mock when it is unset)
 * and writes reports/conformance.{html,json}, reports/junit.xml and
 * Playwright's HTML report to reports/playwright/.
 */
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { loadDotenv, parseWorkers } from './src/config/env.ts';
import { retriesOrZero } from './src/config/gate.ts';
import { MERGE_ENV, shardFileName, shardFromArgv, shardTag } from './src/report/shard.ts';
import { DIGEST_FILE_SUFFIX } from './src/leak/digests.ts';

loadDotenv();
/** Where the reports go (default reports/); the project's own tests point it at temporary folders. */
const reportsDir = process.env.REPORTS_DIR || 'reports';
/**
 * `--shard=i/n` (README: sharding): this process runs one part of the
 * catalogue. It then also leaves its blob in <REPORTS_DIR>/blob/ for
 * `npm run merge`, names its files per shard so that shards sharing a folder
 * never overwrite each other, and leaves Playwright's HTML report to the merge.
 */
const shard = shardFromArgv();
/** `npm run merge` runs Playwright's merge-reports with this configuration. */
const mergeDir = process.env[MERGE_ENV];
const blobDir = path.join(reportsDir, 'blob');
const requestTimeoutMs = Number(process.env.REQUEST_TIMEOUT_MS) > 0 ? Number(process.env.REQUEST_TIMEOUT_MS) : 10_000;

/** A bad value must not hang the run: fall back here, and the global setup stops the run with the message. */
function workers(): number | string {
  try {
    return parseWorkers(process.env.CONFORMANCE_WORKERS) ?? 2;
  } catch {
    return 1;
  }
}

export default defineConfig({
  testDir: './tests/conformance',
  globalSetup: './src/suite/global-setup.ts',
  // A scenario makes at most three requests plus a state setup and teardown.
  timeout: requestTimeoutMs * 6 + 5_000,
  fullyParallel: true,
  workers: workers(),
  // CONFORMANCE_RETRIES: a retry runs in a fresh worker and arranges its own state.
  retries: retriesOrZero(),
  forbidOnly: !!process.env.CI,
  outputDir: path.join(reportsDir, shard ? `.test-results-${shardTag(shard)}` : '.test-results'),
  reporter: [
    ['list'],
    // conformance.{html,json} and junit.xml, from one run model (a shard's: conformance-shard-1-of-2.json, …).
    ['./src/report/conformance-reporter.ts', { outputDir: reportsDir }],
    ...(shard ? [] : [['html', { outputFolder: path.join(reportsDir, 'playwright'), open: 'never', noCopyPrompt: true }] as const]),
    // A file name (not a folder) keeps the blob reporter from emptying blob/, which other shards may share.
    ...(shard ? [['blob', { outputFile: path.join(blobDir, `report-${shardTag(shard)}.zip`) }] as const] : []),
    // Last: its onEnd runs after every report above is written, scans them all
    // for the run's secrets and fails the run on a hit (README: leak scan). A
    // shard scans only its own files and leaves salted digests of its secrets
    // next to its blob; the merge's scan searches the merged reports for them.
    [
      './src/leak/leak-scan-reporter.ts',
      shard
        ? {
            dirs: [
              ...['conformance.json', 'conformance.html', 'junit.xml'].map((f) => path.join(reportsDir, shardFileName(f, shard))),
              path.join(blobDir, `report-${shardTag(shard)}.zip`),
              path.join(reportsDir, `.test-results-${shardTag(shard)}`),
            ],
            outputFile: path.join(reportsDir, shardFileName('leak-scan.json', shard)),
            digestsFile: path.join(blobDir, `report-${shardTag(shard)}${DIGEST_FILE_SUFFIX}`),
            shard: `${shard.current}/${shard.total}`,
          }
        : { dirs: [reportsDir, ...(mergeDir ? [mergeDir] : [])], ...(mergeDir ? { digestsDir: mergeDir } : {}) },
    ],
  ],
  use: {
    // API requests only: no browser, and no traces (they would carry Authorization headers).
    trace: 'off',
    screenshot: 'off',
    video: 'off',
  },
});
