/** The report header's provenance rows: what produced this report, so two reports can be compared. */
import type { Provenance } from '../provenance.ts';
import { esc } from './escape.ts';

export function provenanceRows(p: Provenance | undefined): string {
  if (!p) return '';
  const docs = p.specs.documents.length
    ? p.specs.documents.map((d) => `<code>${esc(d.path)}</code> <span class="muted">sha256 ${esc(d.sha256)}</span>`).join('<br>')
    : `<em>none hashed</em>${p.specs.error ? ` <span class="muted">(${esc(p.specs.error)})</span>` : ''}`;
  return `<dt>Suite</dt><dd>${esc(p.suite.name)} ${esc(p.suite.version)}${p.suite.commit ? ` <span class="muted">commit <code>${esc(p.suite.commit)}</code></span>` : ' <span class="muted">(commit unknown)</span>'}</dd>
<dt>Spec documents</dt><dd><span class="muted">${esc(p.specs.dir)}:</span><br>${docs}</dd>
<dt>Catalogue</dt><dd>${esc(p.catalogue.scenarios)} scenarios <span class="muted">sha256 ${esc(p.catalogue.sha256)}</span></dd>
<dt>Playwright</dt><dd>${esc(p.playwright ?? 'unknown')} <span class="muted">(Node.js ${esc(p.node)})</span></dd>`;
}
