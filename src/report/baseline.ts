/**
 * What changed since an earlier run (CONFORMANCE_BASELINE=<an earlier
 * conformance.json>). Informational: it never changes the verdict or the exit
 * code. An unreadable or invalid baseline stops the run at start.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/env.ts';
import { provenanceDifferences, type Provenance } from './provenance.ts';

export const BASELINE_VARIABLE = 'CONFORMANCE_BASELINE';

export interface Baseline {
  /** The file as given. */
  source: string;
  verdict: string | null;
  target: string | null;
  mode: string | null;
  startedAt: string | null;
  provenance: Provenance | null;
  scenarios: { id: string; outcome: string }[];
}

/** Parses an earlier conformance.json; `source` names it in messages. */
export function parseBaseline(text: string, source: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${BASELINE_VARIABLE}=${source} is not valid JSON (${(e as Error).message}); name a conformance.json written by an earlier run`);
  }
  const d = data as Record<string, unknown>;
  const list = d && typeof d === 'object' && Array.isArray(d.scenarios) ? d.scenarios : undefined;
  if (!list || !list.every((s) => s && typeof s === 'object' && typeof (s as { id?: unknown }).id === 'string' && typeof (s as { outcome?: unknown }).outcome === 'string')) {
    throw new ConfigError(`${BASELINE_VARIABLE}=${source} is not a conformance report: it needs "scenarios": [{"id", "outcome", ...}] as an earlier run's conformance.json has`);
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    source,
    verdict: str(d.verdict),
    target: str(d.target),
    mode: str(d.mode),
    startedAt: str(d.startedAt),
    provenance: d.provenance && typeof d.provenance === 'object' ? (d.provenance as Provenance) : null,
    scenarios: (list as { id: string; outcome: string }[]).map((s) => ({ id: s.id, outcome: s.outcome })),
  };
}

export function loadBaseline(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Baseline | undefined {
  const named = env[BASELINE_VARIABLE]?.trim();
  if (!named) return undefined;
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, named), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${BASELINE_VARIABLE}=${named}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`}; name the conformance.json of an earlier run, or unset ${BASELINE_VARIABLE}`);
  }
  return parseBaseline(text, named);
}

export interface OutcomeChange {
  id: string;
  before: string;
  now: string;
}

export interface Changes {
  baseline: { source: string; startedAt: string | null; verdict: string | null; target: string | null };
  /** How the two runs differ besides their outcomes (suite version, spec, catalogue, target); empty when alike. */
  differences: string[];
  newlyFailing: OutcomeChange[];
  fixed: OutcomeChange[];
  stillFailing: OutcomeChange[];
  /** Every other change of outcome (passed → skipped, failed → waived, ...). */
  otherChanges: OutcomeChange[];
  added: { id: string; now: string }[];
  removed: { id: string; before: string }[];
}

const FAILING = new Set(['failed']);

export interface CurrentRun {
  scenarios: readonly { id: string; outcome: string }[];
  provenance?: Provenance;
  target: { baseUrl: string | null; mode: string };
}

export function compareWithBaseline(baseline: Baseline, now: CurrentRun): Changes {
  const before = new Map(baseline.scenarios.map((s) => [s.id, s.outcome]));
  const current = new Map(now.scenarios.map((s) => [s.id, s.outcome]));
  const changes: Changes = {
    baseline: { source: baseline.source, startedAt: baseline.startedAt, verdict: baseline.verdict, target: baseline.target },
    differences: [],
    newlyFailing: [],
    fixed: [],
    stillFailing: [],
    otherChanges: [],
    added: [],
    removed: [],
  };
  for (const [id, outcome] of current) {
    const was = before.get(id);
    if (was === undefined) changes.added.push({ id, now: outcome });
    else if (FAILING.has(outcome) && FAILING.has(was)) changes.stillFailing.push({ id, before: was, now: outcome });
    else if (FAILING.has(outcome)) changes.newlyFailing.push({ id, before: was, now: outcome });
    else if (FAILING.has(was) && outcome === 'passed') changes.fixed.push({ id, before: was, now: outcome });
    else if (was !== outcome) changes.otherChanges.push({ id, before: was, now: outcome });
  }
  for (const [id, was] of before) if (!current.has(id)) changes.removed.push({ id, before: was });
  if (now.provenance) changes.differences.push(...provenanceDifferences(baseline.provenance ?? undefined, now.provenance));
  if (baseline.mode && baseline.mode !== now.target.mode) changes.differences.push(`mode ${baseline.mode} → ${now.target.mode}`);
  // The bundled mock listens on a new port every run: its URL is not a different target.
  else if (now.target.mode !== 'bundled' && baseline.target !== now.target.baseUrl) changes.differences.push(`target ${baseline.target ?? 'unknown'} → ${now.target.baseUrl ?? 'unknown'}`);
  return changes;
}

/** One line: how many changed, for the terminal and the summary. */
export function changesLine(c: Changes): string {
  const parts = [
    `${c.newlyFailing.length} newly failing`,
    `${c.fixed.length} fixed`,
    `${c.stillFailing.length} still failing`,
    c.otherChanges.length ? `${c.otherChanges.length} other outcome change${c.otherChanges.length === 1 ? '' : 's'}` : '',
    c.added.length ? `${c.added.length} added` : '',
    c.removed.length ? `${c.removed.length} removed` : '',
  ].filter(Boolean);
  return `Since the baseline (${c.baseline.source}${c.baseline.startedAt ? `, ${c.baseline.startedAt}` : ''}): ${parts.join(', ')}${c.differences.length ? `; compared anyway although ${c.differences.join('; ')}` : ''}.`;
}
