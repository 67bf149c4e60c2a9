/** The waivers section, near the top: what is accepted, why, until when; and waivers to look at. */
import type { RunModel } from '../model.ts';
import { esc } from './escape.ts';

export function waiversSection(model: RunModel): string {
  const w = model.waivers;
  if (!w) return '';
  const waived = model.scenarios.filter((s) => s.outcome === 'waived');
  const row = (u: (typeof w.uses)[number]) =>
    `<tr><td><a href="#${esc(u.scenario)}"><code>${esc(u.scenario)}</code></a>${u.check ? ` <code>[${esc(u.check)}]</code>` : ' <span class="muted">(every check)</span>'}</td><td>${esc(u.reason)}</td><td>${esc(u.until)}</td><td>${u.link ? `<a href="${esc(u.link)}">${esc(u.link)}</a>` : ''}</td><td><span class="badge ${u.state === 'applied' ? 'waived' : u.state === 'expired' ? 'failed' : 'skipped'}">${esc(u.state)}</span> ${esc(u.note)}</td></tr>`;
  return `<h2>Waived (${waived.length})</h2>
<p class="muted">Known deviations accepted until a date, from <code>${esc(w.source)}</code>. A waived failure does not fail the gate; its findings are listed with the scenario.</p>
${w.warnings.length ? `<ul class="reason">${w.warnings.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
<table><thead><tr><th>scenario [check]</th><th>reason</th><th>until</th><th>link</th><th>this run</th></tr></thead><tbody>${w.uses.map(row).join('')}</tbody></table>`;
}
