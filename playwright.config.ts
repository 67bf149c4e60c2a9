/**
 * The conformance suite. `npx playwright test` runs every scenario of the
 * catalogue against BASE_URL (or the bundled reference mock when it is unset)
 * and writes reports/conformance.{html,json}, reports/junit.xml and
 * Playwright's HTML report to reports/playwright/.
 */
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { loadDotenv, parseWorkers } from './src/config/env.ts';

loadDotenv();
/** Where the reports go (default reports/); the project's own tests point it at temporary folders. */
const reportsDir = process.env.REPORTS_DIR || 'reports';
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
  retries: 0,
  forbidOnly: !!process.env.CI,
  outputDir: path.join(reportsDir, '.test-results'),
  reporter: [
    ['list'],
    ['./src/report/conformance-reporter.ts', { outputDir: reportsDir }],
    ['junit', { outputFile: path.join(reportsDir, 'junit.xml') }],
    ['html', { outputFolder: path.join(reportsDir, 'playwright'), open: 'never' }],
    // Last: its onEnd runs after every report above is written, scans them all
    // for the run's secrets and fails the run on a hit (README: leak scan).
    ['./src/leak/leak-scan-reporter.ts', { dirs: [reportsDir] }],
  ],
  use: {
    // API requests only: no browser, and no traces (they would carry Authorization headers).
    trace: 'off',
    screenshot: 'off',
    video: 'off',
  },
});
