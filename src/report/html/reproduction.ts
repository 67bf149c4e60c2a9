/** A failing scenario's curl reproduction, in its section. */
import { reproductionText, type Reproduction } from '../reproduce.ts';
import { esc } from './escape.ts';

export function reproductionBlock(r: Reproduction | undefined): string {
  if (!r) return '';
  return `<details class="reproduce" open><summary><strong>Reproduce with curl</strong> <span class="muted">(credentials are placeholders; their origin is stated)</span></summary><pre class="curl">${esc(reproductionText(r))}</pre></details>`;
}
