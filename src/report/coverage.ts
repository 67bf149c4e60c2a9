/**
 * Coverage of a run (issue 8 §2): how much of the catalogue ran, which
 * documented statuses and 403 variants it proved, what did not run and why,
 * and whether that meets CONFORMANCE_REQUIRE. Pure: the run model in, a
 * Coverage out; `decideVerdict` turns an unmet requirement into `incomplete`.
 */
import type { Coverage, CoverageRequirement, MatrixRow, ScenarioReport } from './model.ts';

/** Outcomes that ran to a verdict about the target. */
const RAN = new Set(['passed', 'failed', 'waived', 'flaky', 'not_arranged']);

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Does a scenario that did not run to a verdict count against the requirement? */
function countsAgainst(s: ScenarioReport, requirement: CoverageRequirement): boolean {
  if (requirement === 'none') return false;
  if (requirement === 'all') return true;
  // arrangeable: what the mode cannot arrange is excused, and so is an
  // inconclusive scenario (the environment spoiled it, e.g. a shared rate limit).
  return s.outcome !== 'inconclusive' && s.notCovered !== 'unarrangeable';
}

/** The reason of every scenario of a run that stopped before any scenario ran (a configuration error). */
export const RUN_STOPPED_REASON = 'did not run: the run stopped before any scenario ran';

function missingReason(s: ScenarioReport): string {
  if (s.outcome === 'inconclusive') return `inconclusive: ${s.reason ?? 'no reason given'}`;
  return s.reason ?? 'did not run';
}

/** What would change an unmet requirement, in words. */
function remedy(missing: ScenarioReport[], requirement: CoverageRequirement): string {
  const notRun = missing.some((s) => s.notCovered === 'not_run');
  const unarrangeable = missing.some((s) => s.notCovered === 'unarrangeable');
  const ways: string[] = [];
  if (missing.length && missing.every((s) => s.reason === RUN_STOPPED_REASON)) return 'fix the error the run stopped on, then run again';
  if (notRun) ways.push('run without the -g/--grep, --last-failed or test-list filter');
  if (unarrangeable) ways.push('give the run a way to arrange states (STATE_URL of a mock, or live mode), or set CONFORMANCE_REQUIRE=arrangeable');
  if (requirement === 'all' && !unarrangeable) ways.push('set CONFORMANCE_REQUIRE=arrangeable to excuse what the mode cannot arrange');
  ways.push('or set CONFORMANCE_REQUIRE=none to judge only what ran');
  return ways.join('; ');
}

export function computeCoverage(scenarios: ScenarioReport[], matrix: MatrixRow[], requirement: CoverageRequirement): Coverage {
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  const proven = (row: MatrixRow) => row.scenarioIds.length > 0 && row.scenarioIds.every((id) => byId.get(id)?.outcome === 'passed');
  // A documented status is one operation's: the same status of two operations is two to prove.
  const statusKey = (r: MatrixRow) => `${r.operationId} ${r.status}`;
  const statuses = [...new Set(matrix.map(statusKey))];
  const statusesProven = statuses.filter((key) => matrix.filter((r) => statusKey(r) === key).every(proven)).length;
  const operations = new Set(matrix.map((r) => r.operationId)).size;
  const variantRows = matrix.filter((r) => r.status === 403 && r.variant);
  const missingScenarios = scenarios.filter((s) => !RAN.has(s.outcome));
  const against = missingScenarios.filter((s) => countsAgainst(s, requirement));
  const ran = scenarios.length - missingScenarios.length;
  const met = against.length === 0;
  const head = `${ran} of ${scenarios.length} scenarios of the catalogue ran; ${statusesProven} of ${statuses.length} documented statuses${operations > 1 ? ` of ${operations} operations` : ''} and ${variantRows.filter(proven).length} of ${variantRows.length} 403 variants proven`;
  let summary: string;
  if (met) {
    const excused = missingScenarios.length ? ` (${plural(missingScenarios.length, 'scenario')} excused by CONFORMANCE_REQUIRE=${requirement})` : '';
    summary = `${head}; requirement CONFORMANCE_REQUIRE=${requirement} met${excused}`;
  } else if (ran === 0 && against.every((s) => s.reason === RUN_STOPPED_REASON)) {
    summary = `the run stopped before any scenario ran; ${head}. To change that: ${remedy(against, requirement)}`;
  } else {
    const first = against.slice(0, 3).map((s) => `${s.id}: ${missingReason(s)}`).join('; ');
    summary =
      `${plural(against.length, 'scenario')} required by CONFORMANCE_REQUIRE=${requirement} did not run (${first}${against.length > 3 ? '; …' : ''}); ` +
      `${head}. To change that: ${remedy(against, requirement)}`;
  }
  return {
    requirement,
    catalogue: scenarios.length,
    ran,
    statusesProven,
    statuses: statuses.length,
    variantsProven: variantRows.filter(proven).length,
    variants: variantRows.length,
    missing: missingScenarios.map((s) => ({ id: s.id, outcome: s.outcome, reason: missingReason(s), counts: countsAgainst(s, requirement) })),
    met,
    summary,
  };
}
