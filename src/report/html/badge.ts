/** The outcome badge every section of the page uses. */
import { esc } from './escape.ts';

export const OUTCOME_LABEL: Record<string, string> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  not_arranged: 'not arranged',
  inconclusive: 'inconclusive',
  waived: 'waived',
  flaky: 'flaky',
};

export const badge = (outcome: string): string => `<span class="badge ${esc(outcome)}">${esc(OUTCOME_LABEL[outcome] ?? outcome)}</span>`;
