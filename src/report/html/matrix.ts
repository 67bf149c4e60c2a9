/**
 * The matrix of the HTML report: documented statuses and variants against the
 * scenarios that prove them. One operation gets today's full table. A run of
 * many operations (the authentication-layer sweep of a whole API) gets, per
 * operation, one compact row (a <details> collapsed when everything passed),
 * failing operations first; an operation with a catalogue of its own (not
 * only the sweep) gets its full table. No scripts: <details> does the folding.
 */
import type { MatrixRow, OperationSummary, RunModel, ScenarioReport } from '../model.ts';
import { badge } from './badge.ts';
import { esc } from './escape.ts';

/** Outcomes that make an operation need attention, worst first. */
const BAD = ['failed', 'not_arranged', 'flaky'];
const ORDER = ['failed', 'not_arranged', 'flaky', 'inconclusive', 'waived', 'skipped', 'passed'];

export const MATRIX_CSS = `
body{overflow-wrap:break-word}
.ops-failing{margin:.4rem 0;line-height:1.9}.ops-failing a{margin-right:.8rem}.ops-failing code{word-break:break-all}
details.op{border:1px solid #dfe2e8;border-radius:5px;margin:.25rem 0}details.op[open]{border-color:#b42318}details.op.ok[open]{border-color:#157f3b}
details.op>summary{cursor:pointer;padding:.3rem .5rem;display:flex;flex-wrap:wrap;gap:.2rem .6rem;align-items:baseline}
details.op>summary code{word-break:break-all}details.op>div{padding:0 .5rem .4rem}
.chips{display:flex;flex-wrap:wrap;gap:.2rem}.chip{font-size:11.5px;padding:0 .35rem;border-radius:4px;color:#fff;background:#667085;white-space:nowrap}
.chip.passed{background:#157f3b}.chip.failed{background:#b42318}.chip.not_arranged{background:#b54708}.chip.flaky{background:#c11574}.chip.inconclusive{background:#6941c6}.chip.waived{background:#0e7090}.chip.uncovered{background:#fff;color:#b42318;border:1px solid #b42318}
`;

interface OperationView {
  op: OperationSummary;
  rows: MatrixRow[];
  scenarios: ScenarioReport[];
  /** Worst outcome of its scenarios ('passed' when all passed). */
  worst: string;
  counts: Map<string, number>;
  /** Has scenarios of its own beyond the sweep: shown with its full table. */
  deep: boolean;
}

function views(model: RunModel): OperationView[] {
  const scenariosOf = new Map<string, ScenarioReport[]>();
  for (const s of model.scenarios) {
    const list = scenariosOf.get(s.operation.id) ?? [];
    list.push(s);
    scenariosOf.set(s.operation.id, list);
  }
  return model.operations.map((op) => {
    const scenarios = scenariosOf.get(op.id) ?? [];
    const counts = new Map<string, number>();
    for (const s of scenarios) counts.set(s.outcome, (counts.get(s.outcome) ?? 0) + 1);
    const rows = model.matrix.filter((r) => r.operationId === op.id);
    const uncovered = rows.some((r) => r.scenarioIds.length === 0);
    const worst = ORDER.find((o) => counts.has(o) && o !== 'passed' && (BAD.includes(o) || o === 'inconclusive')) ?? (uncovered ? 'failed' : counts.has('passed') ? 'passed' : 'skipped');
    return { op, rows, scenarios, worst, counts, deep: scenarios.some((s) => s.kind !== 'auth_layer') };
  });
}

const needsAttention = (v: OperationView) => BAD.includes(v.worst);
const opName = (op: OperationSummary) => `${op.method} ${op.path}`;
export const operationAnchor = (id: string) => `op-${id.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The full table of one operation: every documented status and variant, with its scenarios. */
function fullTable(rows: MatrixRow[], byId: Map<string, ScenarioReport>): string {
  const body = rows
    .map((row) => {
      const cells = row.scenarioIds.length
        ? row.scenarioIds
            .map((id) => {
              const s = byId.get(id);
              return s ? `<li>${badge(s.outcome)} <a href="#${esc(id)}">${esc(s.title)}</a>${s.reason && s.outcome !== 'passed' ? `<div class="muted">${esc(s.reason)}</div>` : ''}</li>` : `<li>${esc(id)}</li>`;
            })
            .join('')
        : '<li><span class="badge failed">no scenario</span> nothing in the catalogue covers this</li>';
      return `<tr><td class="status">${esc(row.status)}</td><td><code>${esc(row.variant ?? '—')}</code><div class="muted">${esc(row.label)}</div></td><td><ul>${cells}</ul></td></tr>`;
    })
    .join('');
  return `<table class="matrix"><thead><tr><th>status</th><th>variant</th><th>scenarios</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** One chip per documented status/variant, coloured by the worst outcome of its scenarios. */
function chips(rows: MatrixRow[], byId: Map<string, ScenarioReport>): string {
  return `<span class="chips">${rows
    .map((row) => {
      const outcomes: string[] = row.scenarioIds.map((id) => byId.get(id)?.outcome ?? 'skipped');
      const worst = outcomes.length === 0 ? 'uncovered' : (ORDER.find((o) => outcomes.includes(o)) ?? 'skipped');
      const what = `${row.status}${row.variant ? ` ${row.variant}` : ''}`;
      return `<span class="chip ${esc(worst)}" title="${esc(`${what}: ${worst === 'uncovered' ? 'no scenario' : outcomes.join(', ')}`)}">${esc(what)}</span>`;
    })
    .join('')}</span>`;
}

function countsText(v: OperationView): string {
  return ORDER.filter((o) => v.counts.has(o)).map((o) => `${v.counts.get(o)} ${o.replace('_', ' ')}`).join(' · ') || 'no scenario';
}

function compactRow(v: OperationView, byId: Map<string, ScenarioReport>): string {
  const open = needsAttention(v) ? ' open' : '';
  const list = v.scenarios
    .map((s) => `<li>${badge(s.outcome)} <a href="#${esc(s.id)}">${esc(s.title)}</a>${s.reason && s.outcome !== 'passed' ? ` <span class="muted">${esc(s.reason)}</span>` : ''}</li>`)
    .join('');
  return `<details class="op${needsAttention(v) ? ' bad' : ' ok'}" id="${esc(operationAnchor(v.op.id))}" data-operation="${esc(v.op.id)}"${open}><summary>${badge(v.worst)} <code>${esc(opName(v.op))}</code> <span class="muted">${esc(countsText(v))}</span> ${chips(v.rows, byId)}</summary><div><ul>${list}</ul></div></details>`;
}

/** The matrix section's body. */
export function matrixSection(model: RunModel): string {
  const byId = new Map(model.scenarios.map((s) => [s.id, s]));
  if (model.operations.length <= 1) return fullTable(model.matrix, byId);
  const all = views(model);
  const deep = all.filter((v) => v.deep);
  const swept = all.filter((v) => !v.deep);
  // Failing operations first, then the rest in report order.
  const ordered = [...swept.filter(needsAttention), ...swept.filter((v) => !needsAttention(v))];
  const failing = swept.filter(needsAttention).length;
  return `${deep.map((v) => `<h3 id="${esc(operationAnchor(v.op.id))}"><code>${esc(opName(v.op))}</code> <span class="muted">${esc(v.op.title ?? v.op.id)} · ${esc(countsText(v))}</span></h3>${fullTable(v.rows, byId)}`).join('')}
${swept.length ? `<h3>${esc(swept.length)} operation${swept.length === 1 ? '' : 's'}: authentication layer <span class="muted">(${esc(failing)} with failures, shown open and first; the others collapsed)</span></h3>${ordered.map((v) => compactRow(v, byId)).join('')}` : ''}`;
}

/** One line near the verdict: every operation that needs attention, linked to its row. Empty when none does or there is one operation. */
export function failingOperationsLine(model: RunModel, limit = 12): string {
  if (model.operations.length <= 1) return '';
  const bad = views(model).filter(needsAttention);
  if (!bad.length) return `<p class="ops-failing" id="failing-operations">No operation failed (${esc(model.operations.length)} operations).</p>`;
  const shown = bad.slice(0, limit);
  return `<p class="ops-failing" id="failing-operations"><strong>Failing operations (${esc(bad.length)} of ${esc(model.operations.length)}):</strong> ${shown
    .map((v) => `<a href="#${esc(operationAnchor(v.op.id))}"><code>${esc(opName(v.op))}</code> <span class="muted">${esc(countsText(v))}</span></a>`)
    .join(' ')}${bad.length > shown.length ? ` <a href="#matrix">and ${esc(bad.length - shown.length)} more</a>` : ''}</p>`;
}

/**
 * The "All scenarios" list: as one list for one operation; grouped per
 * operation and collapsed for many, so 760 scenarios do not make one endless page.
 */
export function allScenariosSection(model: RunModel, shown: (s: ScenarioReport) => boolean, section: (s: ScenarioReport) => string): string {
  const list = model.scenarios.filter(shown);
  if (model.operations.length <= 1) return list.map(section).join('');
  return views(model)
    .map((v) => {
      const own = v.scenarios.filter(shown);
      if (!own.length) return '';
      return `<details class="op ok"${v.deep ? ' open' : ''}><summary><code>${esc(opName(v.op))}</code> <span class="muted">${esc(own.length)} scenario${own.length === 1 ? '' : 's'}</span></summary><div>${own.map(section).join('')}</div></details>`;
    })
    .join('');
}
