/**
 * The run model that the conformance reporter builds and the renderers turn
 * into files. Pure data: everything in it is already redacted.
 */
import type { Finding } from '../model/finding.ts';
import type { ExchangeRecord } from '../engine/exchange.ts';
import type { Outcome } from '../engine/run-scenario.ts';
import type { Provenance } from './provenance.ts';

export interface ScenarioReport {
  id: string;
  title: string;
  status: number;
  variant: string | null;
  kind: 'status' | 'behaviour' | 'bad_input';
  outcome: Outcome;
  /** Failure messages (one per error finding, or the error that stopped the scenario). */
  messages: string[];
  warnings: string[];
  /** Why it was skipped, not arranged or inconclusive. */
  reason?: string;
  findings: Finding[];
  exchanges: ExchangeRecord[];
  durationMs: number;
}

export interface MatrixRow {
  status: number;
  /** The oneOf variant or the status's single code; null for a body without a code (200). */
  variant: string | null;
  /** The variant's schema title or the response description. */
  label: string;
  scenarioIds: string[];
}

export interface RunModel {
  verdict: 'pass' | 'fail';
  /** One sentence: why this verdict. */
  verdictReason: string;
  operation: { id: string; method: string; path: string };
  target: {
    baseUrl: string | null;
    /** bundled | state | live | base-only (or unknown when the configuration was unusable). */
    mode: string;
    /** The same, in words. */
    modeLabel: string;
    stateArrangement: string;
    envelope: string;
    profile: string;
  };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  counts: Record<Outcome, number>;
  matrix: MatrixRow[];
  scenarios: ScenarioReport[];
  /** Configuration or run-level errors (not tied to one scenario). */
  errors: string[];
  /** What produced this report: suite version and commit, spec and catalogue hashes, Playwright version. */
  provenance?: Provenance;
}

export const OUTCOMES: Outcome[] = ['passed', 'failed', 'not_arranged', 'inconclusive', 'skipped'];

export function countOutcomes(scenarios: ScenarioReport[]): Record<Outcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const s of scenarios) counts[s.outcome]++;
  return counts;
}

/** The contract's rule: pass only when something ran and nothing failed or went unarranged. */
export function decideVerdict(scenarios: ScenarioReport[], errors: string[]): { verdict: 'pass' | 'fail'; reason: string } {
  const c = countOutcomes(scenarios);
  if (errors.length) return { verdict: 'fail', reason: `the run could not be completed: ${errors[0]}` };
  if (c.failed) return { verdict: 'fail', reason: `${c.failed} scenario${c.failed === 1 ? '' : 's'} failed` + (c.not_arranged ? ` and ${c.not_arranged} could not be arranged` : '') };
  if (c.not_arranged) {
    const first = scenarios.find((s) => s.outcome === 'not_arranged')?.reason;
    return { verdict: 'fail', reason: `${c.not_arranged} scenario${c.not_arranged === 1 ? '' : 's'} could not be arranged through the state endpoint${first ? ` (first: ${first})` : ''}` };
  }
  if (c.passed === 0) return { verdict: 'fail', reason: 'no scenario ran to completion, so nothing was verified' };
  const extra = [c.skipped ? `${c.skipped} skipped with reasons` : '', c.inconclusive ? `${c.inconclusive} inconclusive` : ''].filter(Boolean).join(', ');
  return { verdict: 'pass', reason: `all ${c.passed} scenarios that ran passed${extra ? ` (${extra})` : ''}` };
}
