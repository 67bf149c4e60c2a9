/**
 * The run model that the conformance reporter builds and the renderers turn
 * into files. Pure data: everything in it is already redacted.
 *
 * `decideVerdict` is the one place that decides a run's verdict; every
 * renderer, the merge command and the exit code follow it.
 */
import type { Finding } from '../model/finding.ts';
import type { ExchangeRecord } from '../engine/exchange.ts';
import type { Waiver, WaiverSummary } from './waivers.ts';
import type { Changes } from './baseline.ts';
import type { Reproduction } from './reproduce.ts';
import type { Provenance } from './provenance.ts';
import type { OperationRef, ScenarioKind } from '../operations/types.ts';

/**
 * What became of one scenario in a run. The engine produces the first five for
 * one attempt; `waived` (a failure every error of which an unexpired waiver
 * covers) and `flaky` (failed, then passed on a retry) are judged over the run.
 */
export type ScenarioOutcome = 'passed' | 'failed' | 'skipped' | 'not_arranged' | 'inconclusive' | 'waived' | 'flaky';
/** @deprecated the same as ScenarioOutcome; kept for imports written before the widening. */
export type Outcome = ScenarioOutcome;

export type Verdict = 'pass' | 'fail' | 'incomplete';

export type { CoverageRequirement } from '../config/gate.ts';
import type { CoverageRequirement } from '../config/gate.ts';

export interface ScenarioReport {
  id: string;
  /** The operation the scenario belongs to. */
  operation: OperationRef;
  title: string;
  status: number;
  variant: string | null;
  kind: ScenarioKind;
  /** A failure that may have done harm (a 2xx to an unauthenticated DELETE): shown first and marked. */
  critical?: boolean;
  outcome: ScenarioOutcome;
  /** Failure messages (one per error finding, or the error that stopped the scenario). */
  messages: string[];
  warnings: string[];
  /** Why it was skipped, not arranged, inconclusive, waived or flaky. */
  reason?: string;
  /**
   * Why it did not count towards coverage, when it did not run to a verdict:
   * `unarrangeable`: the chosen mode cannot arrange its state (a bare BASE_URL,
   * a state live mode cannot make); `not_run`: this run did not run it (a
   * filter, a stopped run, another shard). Absent for everything else.
   */
  notCovered?: 'unarrangeable' | 'not_run';
  /** Attempts made (more than one with CONFORMANCE_RETRIES). */
  attempts?: number;
  findings: Finding[];
  exchanges: ExchangeRecord[];
  durationMs: number;
  /** The waivers that made this scenario `waived`. */
  waivers?: Waiver[];
  /** What a waiver that did not waive this failure says about it (expired, does not cover a check). */
  waiverNotes?: string[];
  /** Copy-and-paste curl commands that reproduce the failing exchanges (failed and waived scenarios). */
  reproduction?: Reproduction;
}

export interface MatrixRow {
  /** The operation whose documented status (and variant) this row is. */
  operationId: string;
  status: number;
  /** The oneOf variant or the status's single code; null for a body without a code (200). */
  variant: string | null;
  /** The variant's schema title or the response description. */
  label: string;
  scenarioIds: string[];
}

/** Coverage: what of the catalogue ran, what it proved, what did not run and why. */
export interface Coverage {
  requirement: CoverageRequirement;
  /** Scenarios in the catalogue. */
  catalogue: number;
  /** Scenarios that ran to a verdict (passed, failed, waived, flaky, not arranged). */
  ran: number;
  /** Documented statuses every scenario of which passed, of all documented statuses. */
  statusesProven: number;
  statuses: number;
  /** 403 variants every scenario of which passed, of all documented 403 variants. */
  variantsProven: number;
  variants: number;
  /** Scenarios that did not run to a verdict, each with why. */
  missing: { id: string; outcome: ScenarioOutcome; reason: string; counts: boolean }[];
  /** True when the run meets the requirement; false when it is below it. */
  met: boolean;
  /** One sentence for every report, stated first. */
  summary: string;
}

export interface OperationSummary extends OperationRef {
  /** The documented summary, when known. */
  title?: string;
}

export interface RunModel {
  verdict: Verdict;
  /** One sentence: why this verdict. */
  verdictReason: string;
  /** Every operation of the run, in report order; `matrix` holds their rows. */
  operations: OperationSummary[];
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
  /** Set on a shard's own reports: which part of the run it covered. */
  shard?: { current: number; total: number } | null;
  /** Set on merged reports: the shards they were merged from. */
  mergedFrom?: { current: number; total: number }[];
  coverage?: Coverage;
  /** Hints for the usual configuration mistakes (a BASE_URL without /core/v1). */
  hints?: string[];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  counts: Record<ScenarioOutcome, number>;
  matrix: MatrixRow[];
  scenarios: ScenarioReport[];
  /** Configuration or run-level errors (not tied to one scenario). */
  errors: string[];
  /** What produced this report: suite version and commit, spec and catalogue hashes, Playwright version. */
  provenance?: Provenance;
  /** What the waivers file did in this run (absent without one). */
  waivers?: WaiverSummary;
  /** What changed since CONFORMANCE_BASELINE (absent without one); informational. */
  changes?: Changes;
}

export const OUTCOMES: ScenarioOutcome[] = ['passed', 'failed', 'flaky', 'waived', 'not_arranged', 'inconclusive', 'skipped'];

export function countOutcomes(scenarios: ScenarioReport[]): Record<ScenarioOutcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<ScenarioOutcome, number>;
  for (const s of scenarios) counts[s.outcome]++;
  return counts;
}

export interface VerdictOptions {
  /** CONFORMANCE_ALLOW_FLAKY: a flaky scenario does not fail the gate. */
  allowFlaky?: boolean;
  /** The run's coverage; below its requirement the verdict is `incomplete`. */
  coverage?: Coverage;
  /** A shard's own verdict: coverage is judged at the merge, not here. */
  shard?: { current: number; total: number } | null;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The contract's rule, and issue 8's: fail when anything failed, could not be
 * arranged, or was flaky (unless allowed); incomplete when less ran than the
 * coverage requirement asks; pass only when something ran and nothing of that
 * happened. Waived failures do not fail the gate.
 */
export function decideVerdict(scenarios: ScenarioReport[], errors: string[], options: VerdictOptions = {}): { verdict: Verdict; reason: string } {
  const c = countOutcomes(scenarios);
  if (errors.length) return { verdict: 'fail', reason: `the run could not be completed: ${errors[0]}` };
  const flakyFails = c.flaky > 0 && !options.allowFlaky;
  if (c.failed) {
    const more = [c.not_arranged ? `${c.not_arranged} could not be arranged` : '', flakyFails ? `${c.flaky} flaky` : ''].filter(Boolean);
    return { verdict: 'fail', reason: `${plural(c.failed, 'scenario')} failed` + (more.length ? ` and ${more.join(' and ')}` : '') };
  }
  if (c.not_arranged) {
    const first = scenarios.find((s) => s.outcome === 'not_arranged')?.reason;
    return { verdict: 'fail', reason: `${plural(c.not_arranged, 'scenario')} could not be arranged through the state endpoint${first ? ` (first: ${first})` : ''}` };
  }
  if (flakyFails) {
    return { verdict: 'fail', reason: `${plural(c.flaky, 'scenario')} ${c.flaky === 1 ? 'was' : 'were'} flaky (failed, then passed on a retry); set CONFORMANCE_ALLOW_FLAKY=true to accept flaky scenarios` };
  }
  const verified = c.passed + c.flaky + c.waived;
  if (verified === 0) return { verdict: 'fail', reason: 'no scenario ran to completion, so nothing was verified' };
  if (!options.shard && options.coverage && !options.coverage.met) {
    return { verdict: 'incomplete', reason: options.coverage.summary };
  }
  // A shard's "skipped" scenarios of other shards are not skips of this shard.
  const skippedHere = options.shard ? scenarios.filter((s) => s.outcome === 'skipped' && s.notCovered !== 'not_run').length : c.skipped;
  const extra = [
    c.waived ? `${c.waived} waived` : '',
    c.flaky ? `${c.flaky} flaky, allowed by CONFORMANCE_ALLOW_FLAKY` : '',
    skippedHere ? `${skippedHere} skipped with reasons` : '',
    c.inconclusive ? `${c.inconclusive} inconclusive` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const what = options.shard ? 'of this shard' : 'that ran';
  const tail = options.shard ? '; coverage is judged when the shards are merged (npm run merge)' : '';
  return { verdict: 'pass', reason: `all ${verified} scenarios ${what} passed${extra ? ` (${extra})` : ''}${tail}` };
}
