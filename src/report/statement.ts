/**
 * The conformance statement (reports/conformance-statement.json): what a
 * vendor can publish about a run, and what `katapult-conformance verify`
 * re-checks. Pure: built from the run model only, which is already redacted,
 * and it carries no scenario messages or exchanges (nothing that could hold a
 * secret), only identities, hashes, the target, coverage and outcomes.
 *
 * The fingerprint is the sha256 of the canonical JSON (keys sorted) of the
 * statement without its `fingerprint`. A checksum, not a signature: see
 * docs/conformance-contract.md, "The conformance statement".
 */
import { createHash } from 'node:crypto';
import type { Coverage, RunModel, ScenarioOutcome, Verdict } from './model.ts';
import { canonicalJson } from './provenance.ts';

export const STATEMENT_FORMAT = 'katapult-conformance-statement/1';

export interface Statement {
  format: typeof STATEMENT_FORMAT;
  suite: { name: string; version: string; commit: string | null };
  specs: { path: string; sha256: string }[];
  catalogue: { scenarios: number; sha256: string };
  playwright: string | null;
  target: { base_url: string | null; mode: string; arrangement: string; envelope: string };
  date: string;
  coverage: Pick<Coverage, 'requirement' | 'catalogue' | 'ran' | 'statusesProven' | 'statuses' | 'variantsProven' | 'variants' | 'met' | 'summary'> | null;
  counts: Record<ScenarioOutcome, number>;
  scenarios: { id: string; operation: string; status: number; variant: string | null; outcome: ScenarioOutcome }[];
  verdict: Verdict;
  verdict_reason: string;
  fingerprint: { algorithm: 'sha256'; value: string };
}

export type UnsignedStatement = Omit<Statement, 'fingerprint'>;

/** sha256 of the canonical statement without its fingerprint; any `fingerprint` key given is ignored. */
export function fingerprintOf(statement: UnsignedStatement | Statement): string {
  const { fingerprint: _ignored, ...rest } = statement as Statement;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

export function buildStatement(model: RunModel): Statement {
  const p = model.provenance;
  const c = model.coverage;
  const unsigned: UnsignedStatement = {
    format: STATEMENT_FORMAT,
    suite: { name: p?.suite.name ?? 'unknown', version: p?.suite.version ?? 'unknown', commit: p?.suite.commit ?? null },
    specs: (p?.specs.documents ?? []).map((d) => ({ path: d.path, sha256: d.sha256 })),
    catalogue: { scenarios: p?.catalogue.scenarios ?? model.scenarios.length, sha256: p?.catalogue.sha256 ?? 'unknown' },
    playwright: p?.playwright ?? null,
    target: { base_url: model.target.baseUrl, mode: model.target.mode, arrangement: model.target.stateArrangement, envelope: model.target.envelope },
    date: model.finishedAt,
    coverage: c
      ? { requirement: c.requirement, catalogue: c.catalogue, ran: c.ran, statusesProven: c.statusesProven, statuses: c.statuses, variantsProven: c.variantsProven, variants: c.variants, met: c.met, summary: c.summary }
      : null,
    counts: model.counts,
    scenarios: model.scenarios.map((s) => ({ id: s.id, operation: s.operation?.id ?? 'unknown', status: s.status, variant: s.variant, outcome: s.outcome })),
    verdict: model.verdict,
    verdict_reason: model.verdictReason,
  };
  return { ...unsigned, fingerprint: { algorithm: 'sha256', value: fingerprintOf(unsigned) } };
}

export function renderStatementJson(statement: Statement): string {
  return `${JSON.stringify(statement, null, 2)}\n`;
}
