/** Baseline for the benchmark: the smallest meaningful Playwright API run. */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: 'trivial.spec.ts',
  reporter: [['dot']],
  outputDir: process.env.REPORTS_DIR ? `${process.env.REPORTS_DIR}/.test-results` : undefined,
});
