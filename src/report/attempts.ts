/**
 * From Playwright's test results to one ScenarioReport per scenario: the
 * attempts of a test (retries, CONFORMANCE_RETRIES), several tests of one
 * scenario (--repeat-each), and what a missing result means.
 *
 * - failed, then passed on a retry: `flaky`, with the first failed attempt's findings;
 * - not arranged, or failed, on every attempt: that outcome, first attempt's findings;
 * - one scenario run more than once: any failure is a failure, whatever the others did.
 */
import type { TestCase, TestResult } from '@playwright/test/reporter';
import type { ScenarioResult } from '../engine/run-scenario.ts';
import type { ScenarioOutcome, ScenarioReport } from './model.ts';
import { formatFinding, INCONCLUSIVE, NOT_ARRANGED, RESULT_ATTACHMENT, UNARRANGEABLE } from './test-annotations.ts';

export const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

type Base = Pick<ScenarioReport, 'id' | 'operation' | 'title' | 'status' | 'variant' | 'kind'>;

export interface TestAttempts {
  test: TestCase;
  results: TestResult[];
}

const failedStatus = (r: TestResult) => r.status === 'failed' || r.status === 'timedOut' || r.status === 'interrupted';

/** One attempt, judged on its own. */
function attemptReport(base: Base, test: TestCase, result: TestResult, redact: (t: string) => string): ScenarioReport {
  const annotations = [...test.annotations, ...((result as { annotations?: { type: string; description?: string }[] }).annotations ?? [])];
  const note = (type: string) => annotations.find((a) => a.type === type)?.description;
  const has = (type: string) => annotations.some((a) => a.type === type);
  const attachment = result.attachments.find((a) => a.name === RESULT_ATTACHMENT && a.body);
  const run: ScenarioResult | undefined = attachment ? JSON.parse(attachment.body!.toString('utf8')) : undefined;
  const findings = run?.findings ?? [];
  const warnings = findings.filter((f) => f.severity === 'warning').map((f) => f.message);
  const errorFindings = findings.filter((f) => f.severity === 'error');
  const common = { ...base, warnings, findings, exchanges: run?.exchanges ?? [], durationMs: result.duration };

  if (note(NOT_ARRANGED)) return { ...common, outcome: 'not_arranged', reason: note(NOT_ARRANGED), messages: [`not arranged: ${note(NOT_ARRANGED)}`] };
  if (result.status === 'skipped') {
    if (note(INCONCLUSIVE)) return { ...common, outcome: 'inconclusive', reason: note(INCONCLUSIVE), messages: [] };
    return { ...common, outcome: 'skipped', reason: note('skip') ?? 'skipped without a reason', messages: [], ...(has(UNARRANGEABLE) ? { notCovered: 'unarrangeable' as const } : {}) };
  }
  if (result.status === 'passed') return { ...common, outcome: 'passed', messages: [] };
  const messages = errorFindings.length ? errorFindings.map(formatFinding) : result.errors.map((e) => redact(stripAnsi(e.message ?? e.value ?? 'failed')));
  if (result.status === 'timedOut') messages.push(`the scenario did not finish within its ${test.timeout} ms timeout`);
  if (result.status === 'interrupted') messages.push('the run was interrupted during this scenario');
  return { ...common, outcome: 'failed', messages };
}

/** The attempts of one test: flaky when a failure was followed by a pass. */
function testReport(base: Base, t: TestAttempts, redact: (t: string) => string): ScenarioReport {
  const results = [...t.results].sort((a, b) => a.retry - b.retry);
  const reports = results.map((r) => attemptReport(base, t.test, r, redact));
  const last = reports[reports.length - 1];
  const firstBad = reports.find((r) => r.outcome === 'failed' || r.outcome === 'not_arranged');
  const durationMs = reports.reduce((n, r) => n + r.durationMs, 0);
  const attempts = reports.length;
  if (!firstBad) return { ...last, attempts, durationMs };
  if (last.outcome === 'passed') {
    const failedAt = reports.indexOf(firstBad) + 1;
    return {
      ...firstBad,
      outcome: 'flaky',
      attempts,
      durationMs,
      reason: `attempt ${failedAt} ${firstBad.outcome === 'not_arranged' ? 'could not be arranged' : 'failed'}, attempt ${attempts} passed (CONFORMANCE_RETRIES); the findings shown are the first failed attempt's`,
    };
  }
  return { ...firstBad, attempts, durationMs };
}

const RANK: Record<ScenarioOutcome, number> = { failed: 0, not_arranged: 1, flaky: 2, waived: 3, passed: 4, inconclusive: 5, skipped: 6 };

/** Every test of one scenario (usually one): the worst counts. */
export function scenarioFromTests(base: Base, tests: TestAttempts[], redact: (t: string) => string): ScenarioReport {
  const reports = tests.map((t) => testReport(base, t, redact));
  reports.sort((a, b) => RANK[a.outcome] - RANK[b.outcome]);
  return reports[0];
}

export function notRunReport(base: Base, reason: string): ScenarioReport {
  return { ...base, outcome: 'skipped', reason, notCovered: 'not_run', messages: [], warnings: [], findings: [], exchanges: [], durationMs: 0 };
}
