/** What changed since the baseline (CONFORMANCE_BASELINE): informational, the verdict is this run's own. */
import type { RunModel } from '../model.ts';
import type { OutcomeChange } from '../baseline.ts';
import { esc } from './escape.ts';

const list = (title: string, items: { id: string; before?: string; now?: string }[]) =>
  items.length
    ? `<h3>${esc(title)} (${items.length})</h3><ul>${items.map((c) => `<li><a href="#${esc(c.id)}"><code>${esc(c.id)}</code></a>${c.before !== undefined && c.now !== undefined ? ` ${esc(c.before)} → ${esc(c.now)}` : c.now !== undefined ? ` (${esc(c.now)})` : ` (was ${esc(c.before)})`}</li>`).join('')}</ul>`
    : '';

export function changesSection(model: RunModel): string {
  const c = model.changes;
  if (!c) return '';
  const none = [c.newlyFailing, c.fixed, c.stillFailing, c.otherChanges as OutcomeChange[], c.added, c.removed].every((l) => l.length === 0);
  return `<h2>Changes since the baseline</h2>
<p class="muted">Compared with <code>${esc(c.baseline.source)}</code>${c.baseline.startedAt ? ` (run of ${esc(c.baseline.startedAt)}, verdict ${esc(c.baseline.verdict ?? 'unknown')})` : ''}. Informational: it does not change the verdict.</p>
${c.differences.length ? `<div class="reason"><strong>Compared anyway, although the runs differ:</strong><ul>${c.differences.map((d) => `<li>${esc(d)}</li>`).join('')}</ul></div>` : ''}
${none ? '<p>No scenario changed its outcome.</p>' : ''}
${list('Newly failing', c.newlyFailing)}${list('Fixed', c.fixed)}${list('Still failing', c.stillFailing)}${list('Other outcome changes', c.otherChanges)}${list('Added scenarios', c.added)}${list('Removed scenarios', c.removed)}`;
}
