/**
 * Waivers: known deviations accepted for a time. The file is read and checked
 * at start (a mistake in it is a configuration error); `applyWaivers` is the
 * pure step that turns covered failures into `waived` before the verdict is
 * decided.
 */
import type { Finding } from '../model/finding.ts';

export interface Waiver {
  scenario: string;
  /** One check id; absent: every check of the scenario. */
  check?: string;
  reason: string;
  /** YYYY-MM-DD: the waiver holds up to and including this day (UTC). */
  until: string;
  link?: string;
}

export const WAIVER_FIELDS = ['scenario', 'check', 'reason', 'until', 'link'] as const;

/** A mistake in the waivers file: the run stops at start with this one sentence. */
export class WaiverFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaiverFileError';
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/**
 * Parses and checks a waivers file: `{"waivers": [...]}` or a bare array.
 * `source` names the file in messages; `knownScenarios` are the ids a waiver may name.
 */
export function parseWaivers(text: string, source: string, knownScenarios: readonly string[]): Waiver[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new WaiverFileError(`${source} is not valid JSON (${(e as Error).message}); expected {"waivers": [{"scenario", "check"?, "reason", "until", "link"?}]}`);
  }
  const list = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as { waivers?: unknown }).waivers) ? (data as { waivers: unknown[] }).waivers : undefined;
  if (!list) throw new WaiverFileError(`${source} must hold {"waivers": [...]} (or a JSON array of waivers)`);
  const known = new Set(knownScenarios);
  const seen = new Set<string>();
  return list.map((entry, i) => {
    const at = `${source}: waiver ${i + 1}`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new WaiverFileError(`${at} must be an object {"scenario", "check"?, "reason", "until", "link"?}`);
    const e = entry as Record<string, unknown>;
    const unknownKey = Object.keys(e).find((k) => !(WAIVER_FIELDS as readonly string[]).includes(k));
    if (unknownKey) throw new WaiverFileError(`${at} has an unknown field "${unknownKey}"; the fields are ${WAIVER_FIELDS.join(', ')}`);
    const str = (k: string) => (typeof e[k] === 'string' && (e[k] as string).trim() !== '' ? (e[k] as string).trim() : undefined);
    const scenario = str('scenario');
    if (!scenario) throw new WaiverFileError(`${at} has no "scenario" (a scenario id of the catalogue, e.g. ${knownScenarios[0] ?? '404-api_token_not_found'})`);
    if (!known.has(scenario)) throw new WaiverFileError(`${at} names the unknown scenario "${scenario}"; the scenario ids are those of conformance.json (e.g. ${knownScenarios.slice(0, 3).join(', ')})`);
    if (e.check !== undefined && !str('check')) throw new WaiverFileError(`${at} ("${scenario}"): "check" must be a non-empty check id (as in the report's [check] prefix) or absent`);
    const reason = str('reason');
    if (!reason) throw new WaiverFileError(`${at} ("${scenario}") has no "reason": say why the deviation is accepted`);
    const until = str('until');
    if (!until) throw new WaiverFileError(`${at} ("${scenario}") has no "until": the last day (YYYY-MM-DD) the deviation is accepted`);
    if (!isCalendarDate(until)) throw new WaiverFileError(`${at} ("${scenario}"): "until": "${until}" is not a date; use YYYY-MM-DD, e.g. 2026-12-31`);
    if (e.link !== undefined && !str('link')) throw new WaiverFileError(`${at} ("${scenario}"): "link" must be a non-empty string or absent`);
    const check = str('check');
    const key = `${scenario}\u0000${check ?? ''}`;
    if (seen.has(key)) throw new WaiverFileError(`${at} repeats the waiver for ${scenario}${check ? ` [${check}]` : ''}; keep one`);
    seen.add(key);
    return { scenario, ...(check ? { check } : {}), reason, until, ...(str('link') ? { link: str('link') } : {}) };
  });
}

/** What a waiver did in this run. */
export interface WaiverUse extends Waiver {
  /**
   * `applied`: the scenario is waived; `expired`: it covered a failure but its
   * day passed, so the failure counts; `insufficient`: it covered failures of a
   * scenario that still fails for another check; `unused`: it matched nothing.
   */
  state: 'applied' | 'expired' | 'insufficient' | 'unused';
  /** One sentence for the reports. */
  note: string;
}

export interface WaiverSummary {
  /** The file the waivers came from. */
  source: string;
  uses: WaiverUse[];
  /** Waivers to look at: unused, expired. */
  warnings: string[];
}

/** The part of a scenario report the waiver step reads and writes. */
export interface WaivableScenario {
  id: string;
  outcome: string;
  reason?: string;
  messages: string[];
  findings: Finding[];
  waivers?: Waiver[];
  /** What a waiver that did not waive this failure says about it (expired, does not cover a check). */
  waiverNotes?: string[];
}

const named = (w: Waiver) => `${w.scenario}${w.check ? ` [${w.check}]` : ''}`;

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Turns every failure whose every error finding an unexpired waiver covers into
 * `waived`. A failure without a check finding (a crash, a timeout) is never
 * waived: a waiver accepts a known deviation of the target, not an unknown one.
 */
export function applyWaivers<S extends WaivableScenario>(scenarios: readonly S[], waivers: readonly Waiver[], source: string, today: string = todayUtc()): { scenarios: S[]; summary: WaiverSummary } {
  const uses = new Map<Waiver, WaiverUse>(waivers.map((w) => [w, { ...w, state: 'unused', note: '' }]));
  const out = scenarios.map((s) => {
    const mine = waivers.filter((w) => w.scenario === s.id);
    if (!mine.length) return s;
    if (s.outcome !== 'failed') {
      for (const w of mine) {
        uses.get(w)!.note = s.outcome === 'passed' ? 'the scenario passed: remove the waiver' : `the scenario did not fail in this run (${s.outcome.replace('_', ' ')}${s.reason ? `: ${s.reason}` : ''}), so the waiver was not needed`;
      }
      return s;
    }
    const errors = s.findings.filter((f) => f.severity === 'error');
    const live = mine.filter((w) => w.until >= today);
    const coveredBy = (f: Finding, ws: Waiver[]) => ws.filter((w) => !w.check || w.check === f.check);
    const matched = mine.filter((w) => errors.some((f) => coveredBy(f, [w]).length));
    for (const w of mine.filter((x) => !matched.includes(x))) {
      uses.get(w)!.note = errors.length
        ? `the scenario failed, but not on check ${w.check}: its failures are ${[...new Set(errors.map((f) => f.check))].join(', ')}`
        : 'the scenario failed without a check finding (it stopped or timed out), which a waiver does not cover';
    }
    // Stopped or timed out besides the findings: not a known deviation.
    const unexplained = errors.length === 0 || s.messages.length > errors.length;
    const uncovered = errors.filter((f) => !coveredBy(f, mine).length);
    const expiredOnly = errors.filter((f) => coveredBy(f, mine).length && !coveredBy(f, live).length);
    if (!unexplained && !uncovered.length && !expiredOnly.length) {
      for (const w of matched) Object.assign(uses.get(w)!, { state: 'applied', note: `waives ${errors.filter((f) => coveredBy(f, [w]).length).length} failure(s) until ${w.until}` });
      const reason = matched.map((w) => `waived until ${w.until}: ${w.reason}${w.link ? ` (${w.link})` : ''}`).join('; ');
      return { ...s, outcome: 'waived', reason, waivers: matched };
    }
    const notes: string[] = [];
    for (const w of matched) {
      const use = uses.get(w)!;
      if (w.until < today) {
        Object.assign(use, { state: 'expired', note: `expired on ${w.until}: the failure counts again` });
        notes.push(`the waiver for ${named(w)} expired on ${w.until} ("${w.reason}"): this failure counts again; renew the waiver or fix the target`);
      } else {
        const others = [...new Set(uncovered.map((f) => f.check))];
        Object.assign(use, { state: 'insufficient', note: `covers ${named(w)}, but the scenario also fails ${others.length ? `on ${others.join(', ')}` : 'for a reason no waiver covers'}` });
        notes.push(`the waiver for ${named(w)} does not cover ${others.length ? `the failure of ${others.join(', ')}` : 'every failure'} of this scenario, so it still fails`);
      }
    }
    return notes.length ? { ...s, messages: [...s.messages, ...notes], waiverNotes: notes } : s;
  });
  const list = [...uses.values()];
  for (const u of list) if (u.state === 'unused' && !u.note) u.note = 'the scenario is not in this run';
  const warnings = list
    .filter((u) => u.state === 'unused' || u.state === 'expired')
    .map((u) => (u.state === 'unused' ? `waiver for ${named(u)} matched nothing (${u.note}): remove it` : `waiver for ${named(u)} expired on ${u.until}: the failure counts again`));
  return { scenarios: out, summary: { source, uses: list, warnings } };
}
