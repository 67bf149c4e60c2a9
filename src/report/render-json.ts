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
    /** The first operation of the run, as before there were several (kept for existing readers). */
    operation: model.operations[0] ? { id: model.operations[0].id, method: model.operations[0].method, path: model.operations[0].path } : null,
    operations: model.operations,
    startedAt: model.startedAt,
    finishedAt: model.finishedAt,
    durationMs: model.durationMs,
    counts: model.counts,
    errors: model.errors,
    matrix: model.matrix,
    provenance: model.provenance ?? null,
    waivers: model.waivers ?? null,
    changes: model.changes ?? null,
    scenarios: model.scenarios.map((s) => ({
      id: s.id,
      operation: s.operation,
      title: s.title,
      status: s.status,
      variant: s.variant,
      kind: s.kind,
      outcome: s.outcome,
      ...(s.critical ? { critical: true } : {}),
      reason: s.reason ?? null,
      notCovered: s.notCovered ?? null,
      attempts: s.attempts ?? 1,
      messages: s.messages,
      warnings: s.warnings,
      findings: s.findings,
      exchanges: s.exchanges,
      durationMs: s.durationMs,
      ...(s.waivers ? { waivers: s.waivers } : {}),
      ...(s.reproduction ? { reproduction: s.reproduction } : {}),
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
