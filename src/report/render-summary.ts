/**
 * reports/summary.md: the run on one screen of a CI job page (GitHub's
 * $GITHUB_STEP_SUMMARY renders it): verdict and coverage, counts, the compact
 * matrix, one line per failure with its curl reproduction, waivers, changes
 * since the baseline. Pure: the model is already redacted.
 */
import { OUTCOMES, type RunModel, type ScenarioReport } from './model.ts';
import { reproductionText } from './reproduce.ts';
import { changesLine } from './baseline.ts';

/** Markdown table cells: no line breaks or pipes. */
const cell = (v: unknown) => String(v).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
/** Inline code that survives backticks in the text. */
const code = (v: string) => (v.includes('`') ? `\`\` ${v} \`\`` : `\`${v}\``);

const MARK: Record<string, string> = { passed: '✅', failed: '❌', waived: '🟦', flaky: '🟪', not_arranged: '🟧', inconclusive: '❔', skipped: '⏭️' };

function coverageLine(model: RunModel): string {
  if (model.coverage) return model.coverage.summary;
  // Until the run model carries coverage: what ran of the catalogue.
  const ran = model.scenarios.filter((s) => s.outcome !== 'skipped' && s.outcome !== 'inconclusive').length;
  return `${ran} of ${model.scenarios.length} scenarios ran to a verdict`;
}

function failureLines(s: ScenarioReport): string[] {
  const errors = s.findings.filter((f) => f.severity === 'error');
  if (!errors.length) return [`- ${code(s.id)}: ${cell(s.messages[0] ?? s.reason ?? s.outcome)}`];
  return errors.map((f) => `- ${code(s.id)} ${code(`[${f.check}]`)} ${cell(f.message)}`);
}

function reproductionDetails(s: ScenarioReport): string[] {
  if (!s.reproduction) return [];
  return ['', `<details><summary>Reproduce ${s.id} with curl</summary>`, '', '```sh', reproductionText(s.reproduction), '```', '', '</details>', ''];
}

export function renderSummary(model: RunModel): string {
  const out: string[] = [];
  const p = model.provenance;
  out.push(`## Conformance: ${model.verdict.toUpperCase()} — ${cell(model.verdictReason)}`, '');
  out.push(`**Coverage:** ${cell(coverageLine(model))}`, '');
  out.push(`${model.operations.map((op) => `${op.method} ${code(op.path)}`).join(', ')} · target ${code(model.target.baseUrl ?? 'not reached')} (${cell(model.target.modeLabel)})${p ? ` · suite ${p.suite.version}${p.suite.commit ? ` (${p.suite.commit.slice(0, 12)})` : ''}, catalogue sha256 ${p.catalogue.sha256.slice(0, 12)}` : ''}`, '');
  if (model.shard) out.push(`This is shard ${model.shard.current}/${model.shard.total} of a sharded run.`, '');
  out.push(`| ${OUTCOMES.join(' | ')} |`, `| ${OUTCOMES.map(() => '---').join(' | ')} |`, `| ${OUTCOMES.map((o) => model.counts[o] ?? 0).join(' | ')} |`, '');
  for (const e of model.errors) out.push(`> **Run error:** ${cell(e)}`, '');

  const byId = new Map(model.scenarios.map((s) => [s.id, s]));
  out.push('### Documented statuses and variants', '', '| status | variant | scenarios |', '| --- | --- | --- |');
  for (const row of model.matrix) {
    const cells = row.scenarioIds.map((id) => `${MARK[byId.get(id)?.outcome ?? ''] ?? '·'} ${id}`).join(', ') || '❌ no scenario';
    out.push(`| ${row.status} | ${row.variant ?? '—'} | ${cell(cells)} |`);
  }
  out.push('');

  const failed = model.scenarios.filter((s) => s.outcome === 'failed' || s.outcome === 'not_arranged' || s.outcome === 'flaky');
  out.push(`### Failures (${failed.length})`, '');
  if (!failed.length) out.push('None.', '');
  for (const s of failed) {
    out.push(...failureLines(s));
    for (const n of s.waiverNotes ?? []) out.push(`  - waiver: ${cell(n)}`);
    out.push(...reproductionDetails(s));
  }
  out.push('');

  if (model.waivers) {
    const waived = model.scenarios.filter((s) => s.outcome === 'waived');
    out.push(`### Waived (${waived.length})`, '', `From ${code(model.waivers.source)}.`, '');
    for (const u of model.waivers.uses) out.push(`- ${code(u.scenario)}${u.check ? ` ${code(`[${u.check}]`)}` : ''}: ${cell(u.reason)} — until ${u.until}${u.link ? ` — ${u.link}` : ''} — **${u.state}**: ${cell(u.note)}`);
    for (const w of model.waivers.warnings) out.push(`- ⚠️ ${cell(w)}`);
    for (const s of waived) out.push(...reproductionDetails(s));
    out.push('');
  }

  if (model.changes) {
    const c = model.changes;
    out.push('### Changes since the baseline', '', changesLine(c), '');
    const list = (title: string, items: { id: string; before?: string; now?: string }[]) => {
      if (items.length) out.push(`- **${title}:** ${items.map((i) => `${code(i.id)}${i.before && i.now ? ` (${i.before} → ${i.now})` : ''}`).join(', ')}`);
    };
    list('newly failing', c.newlyFailing);
    list('fixed', c.fixed);
    list('still failing', c.stillFailing);
    list('other outcome changes', c.otherChanges);
    list('added', c.added);
    list('removed', c.removed);
    out.push('');
  }
  const warnings = model.scenarios.reduce((n, s) => n + s.warnings.length, 0);
  out.push(`${warnings} warning${warnings === 1 ? '' : 's'} and the full detail: conformance.html.`, '');
  return `${out.join('\n')}\n`;
}
