/** conformance.json: the contract's machine-readable shape, plus the detail behind it. */
import type { RunModel } from './model.ts';

export function renderJson(model: RunModel): string {
  const out = {
    verdict: model.verdict,
    verdictReason: model.verdictReason,
    coverage: model.coverage ?? null,
    shard: model.shard ?? null,
    mergedFrom: model.mergedFrom ?? null,
    hints: model.hints ?? [],
    target: model.target.baseUrl,
    mode: model.target.mode,
    stateArrangement: model.target.stateArrangement,
    envelope: model.target.envelope,
    profile: model.target.profile,
    operation: model.operation,
    startedAt: model.startedAt,
    finishedAt: model.finishedAt,
    durationMs: model.durationMs,
    counts: model.counts,
    errors: model.errors,
    matrix: model.matrix,
    provenance: model.provenance ?? null,
    scenarios: model.scenarios.map((s) => ({
      id: s.id,
      title: s.title,
      status: s.status,
      variant: s.variant,
      kind: s.kind,
      outcome: s.outcome,
      reason: s.reason ?? null,
      notCovered: s.notCovered ?? null,
      attempts: s.attempts ?? 1,
      messages: s.messages,
      warnings: s.warnings,
      findings: s.findings,
      exchanges: s.exchanges,
      durationMs: s.durationMs,
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
