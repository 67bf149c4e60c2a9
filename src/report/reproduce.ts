/**
 * Copy-and-paste reproduction of a failure: the state setup (for a
 * provider-state endpoint), every request of the scenario up to the last
 * failing one as a curl command, and the teardown. Credentials are named
 * placeholders with their origin, never values. Pure: data in, text out.
 */
import type { ExchangeRecord } from '../engine/exchange.ts';
import type { Placeholder } from '../engine/request-template.ts';
import type { Finding } from '../model/finding.ts';
import { MASK } from '../model/redact.ts';

export interface ReproductionStep {
  kind: 'setup' | 'request' | 'teardown';
  /** What the step is ("regenerate", "state setup"). */
  label: string;
  command: string;
  /** A request the scenario failed on. */
  failing?: boolean;
  /** The status the run received (null: no response). */
  status?: number | null;
}

export interface Reproduction {
  steps: ReproductionStep[];
  placeholders: Placeholder[];
  /** Anything the reader must know first (the bundled mock stopped with the run, a masked value). */
  notes: string[];
}

export interface ReproductionContext {
  /** bundled | state | live | base-only */
  mode: string;
  stateUrl: string | null;
  stateName: string | null;
  scenarioId: string;
}

const singleQuoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** One shell word for a template: placeholders `$NAME` of `names` expand, everything else is literal. */
export function shellWord(template: string, names: ReadonlySet<string>): string {
  const parts: ({ literal: string } | { name: string })[] = [];
  let last = 0;
  for (const m of template.matchAll(/\$([A-Z][A-Z0-9_]*)/g)) {
    if (!names.has(m[1])) continue;
    if (m.index! > last) parts.push({ literal: template.slice(last, m.index) });
    parts.push({ name: m[1] });
    last = m.index! + m[0].length;
  }
  if (last < template.length || parts.length === 0) parts.push({ literal: template.slice(last) });
  const literals = parts.filter((p): p is { literal: string } => 'literal' in p);
  if (literals.every((p) => /^[^$`"\\!]*$/.test(p.literal))) return `"${parts.map((p) => ('name' in p ? `$${p.name}` : p.literal)).join('')}"`;
  return parts.map((p) => ('name' in p ? `"$${p.name}"` : singleQuoted(p.literal))).join('');
}

export function curlCommand(method: string, url: string, headers: [string, string][], body: string | undefined, placeholders: readonly Placeholder[]): string {
  const names = new Set(placeholders.map((p) => p.name));
  const lines = [`curl -sS -i -X ${method} ${singleQuoted(url)}`];
  for (const [k, v] of headers) lines.push(`  -H ${shellWord(`${k}: ${v}`, names)}`);
  if (body !== undefined) lines.push(`  --data-binary ${shellWord(body, names)}`);
  return lines.join(' \\\n');
}

function stateCall(stateUrl: string, state: string, instance: string, action: 'setup' | 'teardown'): string {
  return curlCommand('POST', stateUrl, [['Content-Type', 'application/json']], JSON.stringify({ state, params: { instance }, action }), []);
}

/** The exchanges the scenario failed on: those its error findings name; the last one when none is named. */
function failingIndexes(exchanges: ExchangeRecord[], findings: Finding[]): number[] {
  const labels = new Set(findings.filter((f) => f.severity === 'error' && f.exchange).map((f) => f.exchange));
  const named = exchanges.map((x, i) => (labels.has(x.label) ? i : -1)).filter((i) => i >= 0);
  return named.length ? named : exchanges.length ? [exchanges.length - 1] : [];
}

export function buildReproduction(s: { exchanges: ExchangeRecord[]; findings: Finding[] }, ctx: ReproductionContext): Reproduction | undefined {
  const failing = failingIndexes(s.exchanges, s.findings);
  if (!failing.length) return undefined;
  const upTo = Math.max(...failing);
  const steps: ReproductionStep[] = [];
  const placeholders = new Map<string, Placeholder>();
  const notes: string[] = [];
  const instance = `reproduce-${ctx.scenarioId}`;
  const viaStates = (ctx.mode === 'state' || ctx.mode === 'bundled') && ctx.stateUrl && ctx.stateName;
  if (ctx.mode === 'bundled') notes.push('The bundled mock stopped with the run: start one with "npm run mock -- --port 4010" and use its BASE_URL and STATE_URL in place of the URLs below.');
  if (viaStates) steps.push({ kind: 'setup', label: `state setup: ${ctx.stateName}`, command: stateCall(ctx.stateUrl!, ctx.stateName!, instance, 'setup') });
  s.exchanges.slice(0, upTo + 1).forEach((x, i) => {
    const [method, ...rest] = x.request.split(' ');
    const url = rest.join(' ');
    const t = x.template;
    for (const p of t?.placeholders ?? []) placeholders.set(p.name, p);
    const headers = t?.headers ?? Object.entries(x.requestHeaders);
    const body = t ? t.body : x.requestBody;
    if (!t && Object.values(x.requestHeaders).includes(MASK)) notes.push(`Request ${i + 1} carries masked credentials (${MASK}): put in the ones its state answered.`);
    if (body?.includes(MASK)) notes.push(`The body of request ${i + 1} held a secret, masked here as ${MASK}.`);
    steps.push({ kind: 'request', label: `request ${i + 1}: ${x.label}`, command: curlCommand(method, url, headers, body, t?.placeholders ?? []), failing: failing.includes(i), status: x.status ?? null });
  });
  if (viaStates) steps.push({ kind: 'teardown', label: `state teardown: ${ctx.stateName}`, command: stateCall(ctx.stateUrl!, ctx.stateName!, instance, 'teardown') });
  return { steps, placeholders: [...placeholders.values()], notes };
}

/** The reproduction as one shell-commented text block (summary.md, HTML). */
export function reproductionText(r: Reproduction): string {
  const out: string[] = [];
  for (const n of r.notes) out.push(`# ${n}`);
  if (r.placeholders.length) {
    out.push('# Placeholders: set each before the requests, e.g. BEARER=<value>');
    for (const p of r.placeholders) out.push(`#   $${p.name}: ${p.origin}`);
  }
  for (const step of r.steps) {
    const status = step.kind === 'request' ? (step.status === null ? ', no response in the run' : `, the run received ${step.status}`) : '';
    out.push(`# ${step.label}${step.failing ? ' (FAILED)' : ''}${status}`, step.command);
  }
  return out.join('\n');
}
