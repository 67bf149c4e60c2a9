/**
 * conformance.html: one self-contained page (inline CSS, no scripts, no
 * external resources) that a QA engineer can read without help.
 */
import type { Finding } from '../model/finding.ts';
import { OUTCOMES, type RunModel, type ScenarioReport } from './model.ts';
import { esc } from './html/escape.ts';
import { provenanceRows } from './html/provenance.ts';
import { badge } from './html/badge.ts';
import { allScenariosSection, failingOperationsLine, MATRIX_CSS, matrixSection } from './html/matrix.ts';
import { waiversSection } from './html/waivers.ts';
import { changesSection } from './html/changes.ts';
import { reproductionBlock } from './html/reproduction.ts';

const json = (v: unknown) => esc(JSON.stringify(v));

const WHY: Record<string, string> = {
  inconclusive: 'Why inconclusive',
  not_arranged: 'Why not arranged',
  waived: 'Why waived',
  flaky: 'Why flaky',
};


function findingRow(f: Finding): string {
  return `<tr>
    <td><code>${esc(f.check)}</code></td>
    <td>${esc(f.message)}${f.exchange ? `<div class="muted">request: ${esc(f.exchange)}</div>` : ''}</td>
    <td>${f.expected === undefined ? '' : `<code>${json(f.expected)}</code>`}</td>
    <td>${f.actual === undefined ? '' : `<code>${json(f.actual)}</code>`}</td>
    <td>${f.instancePath ? `<code>${esc(f.instancePath)}</code>` : ''}${f.schemaPath ? `<div class="muted"><code>${esc(f.schemaPath)}</code></div>` : ''}</td>
  </tr>`;
}

function findingsTable(findings: Finding[]): string {
  if (!findings.length) return '';
  return `<table class="findings"><thead><tr><th>check</th><th>what happened</th><th>expected</th><th>actual</th><th>where (instance / schema path)</th></tr></thead>
  <tbody>${findings.map(findingRow).join('')}</tbody></table>`;
}

function scenarioSection(s: ScenarioReport): string {
  const errors = s.findings.filter((f) => f.severity === 'error');
  const warnings = s.findings.filter((f) => f.severity === 'warning');
  // Messages not backed by a finding (a crash, a timeout, not arranged).
  const loose = errors.length ? [] : s.messages;
  return `<section class="scenario ${esc(s.outcome)}" id="${esc(s.id)}">
  <h3>${s.critical ? '<span class="badge critical">CRITICAL</span> ' : ''}${badge(s.outcome)} <code>${esc(s.id)}</code> ${esc(s.title)}</h3>
  <p class="muted">reported under ${esc(s.status)}${s.variant ? ` · ${esc(s.variant)}` : ''} · ${esc(s.kind)}${s.operation ? ` · operation <code>${esc(s.operation.id)}</code> ${esc(s.operation.method)} ${esc(s.operation.path)}` : ''} · ${esc(s.durationMs)} ms</p>
  ${s.reason ? `<p class="reason"><strong>${WHY[s.outcome] ?? 'Why skipped'}:</strong> ${esc(s.reason)}</p>` : ''}
  ${loose.map((m) => `<pre class="message">${esc(m)}</pre>`).join('')}
  ${(s.waiverNotes ?? []).map((m) => `<p class="reason"><strong>Waiver:</strong> ${esc(m)}</p>`).join('')}
  ${errors.length ? `<h4>Failures</h4>${findingsTable(errors)}` : ''}
  ${reproductionBlock(s.reproduction)}
  ${warnings.length ? `<h4>Warnings</h4>${findingsTable(warnings)}` : ''}
  ${
    s.exchanges.length
      ? `<details><summary>${s.exchanges.length} request${s.exchanges.length === 1 ? '' : 's'} (credentials masked)</summary>${s.exchanges
          .map(
            (x) => `<div class="exchange"><p><strong>${esc(x.label)}</strong>: <code>${esc(x.request)}</code> → ${x.status === undefined ? `<em>${esc(x.transportError ?? 'no response')}</em>` : `<strong>${esc(x.status)}</strong>`} <span class="muted">(${esc(x.durationMs)} ms)</span></p>
      <pre>${esc(Object.entries(x.requestHeaders).map(([k, v]) => `${k}: ${v}`).join('\n'))}${x.requestBody !== undefined ? `\n\n${esc(x.requestBody)}` : ''}</pre>
      ${x.responseBody !== undefined ? `<pre>${esc(Object.entries(x.responseHeaders ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n'))}\n\n${esc(x.responseBody)}</pre>` : ''}</div>`,
          )
          .join('')}</details>`
      : ''
  }
</section>`;
}

function shardLine(model: RunModel): string {
  if (model.shard) return `<p>This is shard ${esc(model.shard.current)} of ${esc(model.shard.total)}: it ran only its part of the catalogue. Merge the shards (<code>npm run merge</code>) for the run's verdict and coverage.</p>`;
  if (model.mergedFrom?.length) return `<p>Merged from ${esc(model.mergedFrom.length)} shard${model.mergedFrom.length === 1 ? '' : 's'} (${model.mergedFrom.map((s) => `${esc(s.current)}/${esc(s.total)}`).join(', ')}).</p>`;
  return '';
}

function coverageSection(model: RunModel): string {
  const c = model.coverage;
  if (!c || !c.missing.length) return '';
  return `<h2>Did not run (${c.missing.length})</h2><p>${esc(c.summary)}</p><ul>${c.missing
    .map((m) => `<li>${badge(m.outcome)} <a href="#${esc(m.id)}">${esc(m.id)}</a>: ${esc(m.reason)}${m.counts ? ' <strong>(required)</strong>' : ''}</li>`)
    .join('')}</ul>`;
}

function operationsTitle(model: RunModel): string {
  const [only, ...rest] = model.operations;
  if (!only) return 'no operation';
  return rest.length ? `${model.operations.length} operations` : `${only.method} ${only.path}`;
}

function operationsLine(model: RunModel): string {
  const [only, ...rest] = model.operations;
  if (!only) return '';
  if (rest.length) return `<p class="muted">${esc(model.operations.length)} operations</p>`;
  return `<p class="muted">${esc(only.method)} <code>${esc(only.path)}</code> (<code>${esc(only.id)}</code>)</p>`;
}

export function renderHtml(model: RunModel): string {
  // Critical failures (the layer let a mutating request through) first.
  const failed = model.scenarios
    .filter((s) => s.outcome === 'failed' || s.outcome === 'not_arranged' || s.outcome === 'flaky')
    .sort((a, b) => Number(b.critical === true) - Number(a.critical === true));
  const inconclusive = model.scenarios.filter((s) => s.outcome === 'inconclusive');
  const warned = model.scenarios.filter((s) => s.warnings.length);
  const skipped = model.scenarios.filter((s) => s.outcome === 'skipped');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conformance: ${esc(model.verdict.toUpperCase())} — ${esc(operationsTitle(model))}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:1.5rem;color:#1d2330}
h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:1px solid #d8dce3;padding-bottom:.3rem}h3{margin:.2rem 0;font-size:1rem}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;background:#f3f4f7;padding:0 .25rem;border-radius:3px;word-break:break-word}
pre{background:#f6f7f9;border:1px solid #e3e6eb;padding:.6rem;overflow:auto;white-space:pre-wrap;word-break:break-word;font-size:12.5px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #dfe2e8;padding:.35rem .5rem;vertical-align:top;text-align:left}th{background:#f3f4f7}
ul{margin:0;padding-left:1rem}.muted{color:#667085;font-size:12.5px}
.verdict{padding:1rem 1.2rem;border-radius:8px;color:#fff;margin:1rem 0}.verdict.pass{background:#157f3b}.verdict.fail{background:#b42318}.verdict.incomplete{background:#b54708}
.verdict p{margin:.4rem 0 0}
.verdict strong{font-size:1.6rem;letter-spacing:.05em}
.badge{display:inline-block;padding:0 .45rem;border-radius:9px;font-size:12px;font-weight:600;color:#fff;background:#667085;white-space:nowrap}
.badge.critical{background:#000;outline:2px solid #b42318}.badge.passed{background:#157f3b}.badge.failed{background:#b42318}.badge.not_arranged{background:#b54708}.badge.inconclusive{background:#6941c6}.badge.skipped{background:#667085}.badge.waived{background:#0e7090}.badge.flaky{background:#c11574}
.counts span{margin-right:1rem}.status{font-weight:700;font-size:1.05rem}
.scenario{border:1px solid #e3e6eb;border-left:5px solid #667085;border-radius:6px;padding:.6rem .9rem;margin:.7rem 0}
.scenario.passed{border-left-color:#157f3b}.scenario.failed{border-left-color:#b42318}.scenario.not_arranged{border-left-color:#b54708}.scenario.inconclusive{border-left-color:#6941c6}.scenario.flaky{border-left-color:#c11574}.scenario.waived{border-left-color:#0e7090}
.callout{border:2px solid #6941c6;background:#f4f0ff;border-radius:6px;padding:.6rem .9rem}
.reason{background:#fff8e6;border:1px solid #f5d48a;padding:.4rem .6rem;border-radius:4px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.meta dt{font-weight:600}dl.meta dd{margin:0}
${MATRIX_CSS}</style></head><body>
<h1>Conformance report</h1>
${operationsLine(model)}
${model.coverage ? `<p class="coverage"><strong>Coverage</strong> (CONFORMANCE_REQUIRE=${esc(model.coverage.requirement)}): ${esc(model.coverage.ran)} of ${esc(model.coverage.catalogue)} scenarios ran; ${esc(model.coverage.statusesProven)} of ${esc(model.coverage.statuses)} documented statuses and ${esc(model.coverage.variantsProven)} of ${esc(model.coverage.variants)} 403 variants proven${model.coverage.met ? '' : ' — <strong>below the requirement</strong>'}</p>` : ''}
<div class="verdict ${esc(model.verdict)}"><strong>${esc(model.verdict.toUpperCase())}</strong> — ${esc(model.verdictReason)}${shardLine(model)}</div>
${failingOperationsLine(model)}
${(model.hints ?? []).map((h) => `<p class="reason"><strong>Hint:</strong> ${esc(h)}</p>`).join('')}
<dl class="meta">
<dt>Target</dt><dd><code>${esc(model.target.baseUrl ?? 'not reached')}</code></dd>
<dt>Mode</dt><dd>${esc(model.target.modeLabel)} <span class="muted">(${esc(model.target.mode)})</span></dd>
<dt>States arranged by</dt><dd>${esc(model.target.stateArrangement)}</dd>
<dt>Error envelope</dt><dd>${esc(model.target.envelope)}</dd>
<dt>Profile</dt><dd>${esc(model.target.profile)}</dd>
<dt>Started</dt><dd>${esc(model.startedAt)}</dd>
<dt>Finished</dt><dd>${esc(model.finishedAt)} (${esc((model.durationMs / 1000).toFixed(1))} s)</dd>
${provenanceRows(model.provenance)}
</dl>
<p class="counts">${OUTCOMES.map((o) => `<span>${badge(o)} ${esc(model.counts[o])}</span>`).join('')}</p>
${model.errors.length ? `<h2>Run errors</h2>${model.errors.map((e) => `<pre class="message">${esc(e)}</pre>`).join('')}` : ''}
${inconclusive.length ? `<div class="callout"><h2>Inconclusive (${inconclusive.length})</h2><p>These scenarios were spoiled by the environment and prove nothing either way; they are not counted as conformance failures.</p><ul>${inconclusive.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.id)}</a>: ${esc(s.reason ?? '')}</li>`).join('')}</ul></div>` : ''}
${coverageSection(model)}
${waiversSection(model)}
${changesSection(model)}
<h2 id="matrix">Documented statuses and variants</h2>
${matrixSection(model)}
<h2>Failures (${failed.length})</h2>
${failed.length ? failed.map(scenarioSection).join('') : '<p>None.</p>'}
<h2>Warnings (${warned.reduce((n, s) => n + s.warnings.length, 0)})</h2>
${warned.length ? `<ul>${warned.flatMap((s) => s.warnings.map((w) => `<li><a href="#${esc(s.id)}">${esc(s.id)}</a>: ${esc(w)}</li>`)).join('')}</ul>` : '<p>None.</p>'}
<h2>Skipped (${skipped.length})</h2>
${skipped.length ? `<ul>${skipped.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.id)}</a>: ${esc(s.reason ?? 'no reason given')}</li>`).join('')}</ul>` : '<p>None.</p>'}
<h2>All scenarios</h2>
${allScenariosSection(model, (s) => !failed.includes(s), scenarioSection)}
</body></html>
`;
}
