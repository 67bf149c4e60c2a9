/**
 * Playwright (1.65) writes an `error-context.md` for every failed test: a
 * generic AI prompt ("Copy prompt") with the suite's own source. It has no
 * switch to turn it off, and it is no use to a reader of a conformance
 * report, so the conformance reporter, listed before every reporter that
 * writes files, drops the attachment and deletes the file as each test ends.
 */
import { rmSync } from 'node:fs';
import type { TestResult } from '@playwright/test/reporter';

export const ERROR_CONTEXT_ATTACHMENT = 'error-context';

export function stripErrorContext(result: TestResult): void {
  for (let i = result.attachments.length - 1; i >= 0; i--) {
    const a = result.attachments[i];
    if (a.name !== ERROR_CONTEXT_ATTACHMENT && !/^_?error-context(-\d+)?$/.test(a.name)) continue;
    if (a.path) rmSync(a.path, { force: true });
    result.attachments.splice(i, 1);
  }
}
