/**
 * The conformance reporter. It only collects and renders: tests attach their
 * (already redacted) results; onEnd builds one RunModel and hands it to the
 * pure renderers. It also enforces the contract's exit code: a run whose
 * verdict is "fail" (including "nothing ran") exits non-zero.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult, TestError } from '@playwright/test/reporter';
import { plannedScenarios, registeredOperations } from '../operations/registry.ts';
import { refOf, type OperationDescriptor, type PlannedScenario } from '../operations/types.ts';
import { REPO_ROOT } from '../config/env.ts';
import { loadGateSettings, type GateSettings } from '../config/gate.ts';
import { SecretRegistry } from '../model/redact.ts';
import { configuredSecrets } from '../leak/known-secrets.ts';
import { countOutcomes, decideVerdict, type MatrixRow, type RunModel, type ScenarioReport } from './model.ts';
import { renderHtml } from './render-html.ts';
import { renderJson } from './render-json.ts';
import { renderJunit } from './render-junit.ts';
import { writeStatement } from './write-statement.ts';
import { loadSchemas } from '../operations/run-schemas.ts';
import { collectProvenance } from './provenance.ts';
import { changesSinceBaseline, withWaivers } from './run-inputs.ts';
import { changesLine } from './baseline.ts';
import { buildReproduction } from './reproduce.ts';
import { stripErrorContext } from './strip-error-context.ts';
import { renderSummary } from './render-summary.ts';
import { writeSummary } from './summary-file.ts';
import { specsDirFrom } from '../config/run-dirs.ts';
import { notRunReport, scenarioFromTests, stripAnsi, type TestAttempts } from './attempts.ts';
import { computeCoverage, RUN_STOPPED_REASON } from './coverage.ts';
import { configurationHints } from './hints.ts';
import { mergeFacts, RUN_FACTS_ATTACHMENT, targetFacts, type RunFacts } from './run-facts.ts';
import { MERGE_ENV, shardFileName, type Shard } from './shard.ts';

interface Options {
  outputDir?: string;
}

export default class ConformanceReporter implements Reporter {
  private readonly outputDir: string;
  private readonly started = new Date();
  /** Scenario id -> its tests (one, or more with --repeat-each) and their attempts. */
  private readonly results = new Map<string, Map<string, TestAttempts>>();
  private readonly facts: RunFacts[] = [];
  private readonly errors: string[] = [];
  /** Masks what a run-level error might carry (the configured token, bearer values). */
  private readonly secrets = new SecretRegistry();
  private shard: Shard | null = null;
  /** Scenario ids this run set out to run (after filters and sharding); undefined when unknown. */
  private plannedIds: Set<string> | undefined;
  private readonly operations = registeredOperations();
  /** Every scenario of every registered operation's catalogue. */
  private readonly planned: PlannedScenario[] = plannedScenarios(this.operations);
  private readonly merging = Boolean(process.env[MERGE_ENV]);

  constructor(options: Options = {}) {
    this.outputDir = path.resolve(REPO_ROOT, options.outputDir ?? 'reports');
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.secrets.add(process.env.KATAPULT_API_TOKEN);
    // Credentials of the .env file too: a run-level error may quote one (a URL with a password).
    for (const s of configuredSecrets()) this.secrets.add(s.value);
    this.shard = this.merging ? null : (config?.shard ?? null);
    if (typeof suite?.allTests === 'function') {
      this.plannedIds = new Set(suite.allTests().map((t) => t.annotations.find((a) => a.type === 'scenario')?.description).filter((id): id is string => !!id));
    }
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // Before the reporters listed after this one see the result (README: no AI-prompt files).
    stripErrorContext(result);
    const id = test.annotations.find((a) => a.type === 'scenario')?.description;
    if (!id) return;
    const tests = this.results.get(id) ?? new Map<string, TestAttempts>();
    this.results.set(id, tests);
    const key = test.id ?? id;
    const entry = tests.get(key) ?? { test, results: [] };
    entry.results.push(result);
    tests.set(key, entry);
    const facts = result.attachments.find((a) => a.name === RUN_FACTS_ATTACHMENT && a.body);
    if (facts) {
      try {
        this.facts.push(JSON.parse(facts.body!.toString('utf8')));
      } catch {
        // A test without facts changes nothing: the others carry the same.
      }
    }
  }

  onError(error: TestError): void {
    // A ConfigError's message is the whole story; its class name is not the user's business.
    this.errors.push(this.secrets.redactText(stripAnsi(error.message ?? error.value ?? 'unknown error').split('\n')[0].replace(/^ConfigError: /, '')));
  }

  async onEnd(result: FullResult): Promise<{ status?: FullResult['status'] } | undefined> {
    let gate: GateSettings = { require: 'arrangeable', retries: 0, allowFlaky: false };
    try {
      gate = loadGateSettings();
    } catch (e) {
      // The global setup stops a run on it; a merge learns it here.
      if (this.merging) this.errors.push((e as Error).message);
    }
    const model = this.buildModel(gate);
    mkdirSync(this.outputDir, { recursive: true });
    const file = (name: string) => path.join(this.outputDir, shardFileName(name, this.shard));
    writeFileSync(file('conformance.json'), renderJson(model));
    writeFileSync(file('conformance.html'), renderHtml(model));
    writeFileSync(file('junit.xml'), renderJunit(model, { allowFlaky: gate.allowFlaky }));
    // Before the leak scan (the last reporter), which searches it with the rest of REPORTS_DIR.
    if (!this.shard) {
      const summaryProblem = writeSummary(this.outputDir, renderSummary(model));
      if (summaryProblem) process.stdout.write(`${summaryProblem}\n`);
    }
    // A statement is about a whole run: a shard's is written by the merge.
    if (!this.shard) writeStatement(this.outputDir, model);
    const who = this.shard ? `Conformance (shard ${this.shard.current}/${this.shard.total}, ${model.scenarios.filter((s) => s.notCovered !== 'not_run').length} of ${model.scenarios.length} scenarios)` : 'Conformance';
    const lines = [
      ...(model.hints ?? []).map((h) => `Hint: ${h}`),
      ...(model.coverage && !this.shard ? [`Coverage: ${model.coverage.summary}.`] : []),
      `${who}: ${model.verdict.toUpperCase()} — ${model.verdictReason}. Report: ${path.relative(process.cwd(), file('conformance.html'))}`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    for (const w of model.waivers?.warnings ?? []) process.stdout.write(`Waivers: ${w}\n`);
    if (model.changes) process.stdout.write(`${changesLine(model.changes)}\n`);
    if (model.verdict !== 'pass' && result.status === 'passed') return { status: 'failed' };
    // Playwright counts a waived scenario's test as failed; the gate does not (README: waivers).
    if (model.verdict === 'pass' && result.status === 'failed' && model.counts.waived > 0 && !model.errors.length) return { status: 'passed' };
    return undefined;
  }

  /** Why a scenario has no result in this run. */
  private notRunReason(id: string, shards: Shard[]): string {
    // A configuration error stops a run before Playwright lists any test: nothing was filtered out.
    if (this.errors.length && this.results.size === 0 && !this.merging) return RUN_STOPPED_REASON;
    if (this.plannedIds && !this.plannedIds.has(id)) {
      if (this.shard) return `not in this shard (${this.shard.current}/${this.shard.total}): another shard runs it`;
      if (this.merging) {
        const total = shards[0]?.total;
        const have = new Set(shards.map((s) => s.current));
        const missing = total ? Array.from({ length: total }, (_, i) => i + 1).filter((n) => !have.has(n)) : [];
        return `in none of the merged blobs${missing.length ? ` (the blob of shard ${missing.map((n) => `${n}/${total}`).join(', ')} is missing from the merge)` : ' (the shards ran with a filter)'}`;
      }
      return 'not selected by this run (a -g/--grep, --last-failed, file or line filter)';
    }
    return 'did not run (the run stopped before it, or it was filtered out)';
  }

  private scenarioReport({ operation, scenario: meta }: PlannedScenario, shards: Shard[]): ScenarioReport {
    const id = meta.id;
    const base = { id, operation: refOf(operation), title: meta.title, status: meta.status, variant: meta.variant, kind: meta.kind };
    const tests = this.results.get(id);
    if (!tests?.size) return notRunReport(base, this.notRunReason(id, shards));
    const report = scenarioFromTests(base, [...tests.values()], (t) => this.secrets.redactText(t));
    return report.findings.some((f) => f.critical) ? { ...report, critical: true } : report;
  }

  /** Every operation's documented statuses and 403 variants against its scenarios. */
  private matrix(): MatrixRow[] {
    let schemas: ReturnType<typeof loadSchemas> | undefined;
    try {
      schemas = loadSchemas();
    } catch {
      // Without schemas, the catalogue's own statuses make the rows.
    }
    return this.operations.flatMap((op) => operationMatrix(op, schemas));
  }

  private buildModel(gate: GateSettings): RunModel {
    const merged = this.merging ? mergeFacts(this.facts) : undefined;
    const shards = merged?.shards ?? [];
    // Waivers first: a waived failure does not fail the gate (decideVerdict).
    const { scenarios, waivers } = withWaivers(this.planned.map((p) => this.scenarioReport(p, shards)), this.planned.map((p) => p.scenario.id));
    const runErrors = [...this.errors, ...(merged?.errors ?? [])];
    const matrix = this.matrix();
    const coverage = computeCoverage(scenarios, matrix, gate.require);
    const { verdict, reason } = decideVerdict(scenarios, runErrors, { allowFlaky: gate.allowFlaky, coverage, shard: this.shard });
    const target = merged?.facts?.target ?? targetFacts();
    let startedAt = this.started;
    let finished = new Date();
    if (this.merging) {
      // A merge's own clock says nothing about the run: take the shards' tests'.
      const all = [...this.results.values()].flatMap((m) => [...m.values()].flatMap((t) => t.results));
      if (all.length) {
        startedAt = new Date(Math.min(...all.map((r) => new Date(r.startTime).getTime())));
        finished = new Date(Math.max(...all.map((r) => new Date(r.startTime).getTime() + r.duration)));
      }
    }
    for (const s of scenarios) {
      if (s.outcome !== 'failed' && s.outcome !== 'waived' && s.outcome !== 'flaky') continue;
      const stateName = this.planned.find((p) => p.scenario.id === s.id)?.scenario.state ?? null;
      s.reproduction = buildReproduction(s, { mode: target.mode, stateUrl: process.env.STATE_URL?.trim() || null, stateName, scenarioId: s.id });
    }
    const model: RunModel = {
      verdict,
      verdictReason: reason,
      operations: this.operations.map((op) => ({ ...refOf(op), title: op.title })),
      target: this.secrets.redact(target),
      shard: this.shard,
      ...(this.merging ? { mergedFrom: shards } : {}),
      coverage,
      startedAt: startedAt.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - startedAt.getTime(),
      counts: countOutcomes(scenarios),
      matrix,
      scenarios,
      errors: runErrors,
      provenance: collectProvenance({ root: REPO_ROOT, specsDir: specsDirFrom(), catalogue: this.planned.map((p) => p.scenario) }),
      waivers,
    };
    model.hints = configurationHints(model);
    model.changes = changesSinceBaseline(model);
    return model;
  }
}

/** One operation's rows: each documented status, split by its oneOf variants. */
function operationMatrix(op: OperationDescriptor, schemas: ReturnType<typeof loadSchemas> | undefined): MatrixRow[] {
  const catalogue = op.catalogue;
  let statuses: number[];
  let variantsOf: (status: number) => { code: string; title: string }[] = () => [];
  let describe: (status: number) => string = (status) => `status ${status}`;
  try {
    if (!schemas) throw new Error('no schemas');
    statuses = schemas.documentedStatuses(op.id);
    variantsOf = (status) => schemas.variants(op.id, status);
    describe = (status) => schemas.description(op.id, status) || `status ${status}`;
  } catch {
    statuses = [...new Set(catalogue.map((c) => c.status))];
    variantsOf = () => [];
    describe = (status) => `status ${status}`;
  }
  const rows: MatrixRow[] = [];
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const variants = variantsOf(status);
    if (variants.length) {
      for (const v of variants)
        rows.push({ operationId: op.id, status, variant: v.code, label: v.title, scenarioIds: catalogue.filter((c) => c.status === status && c.variant === v.code).map((c) => c.id) });
    } else {
      const inStatus = catalogue.filter((c) => c.status === status);
      const codes = [...new Set(inStatus.map((c) => c.variant))];
      rows.push({ operationId: op.id, status, variant: codes.length === 1 ? codes[0] : null, label: describe(status), scenarioIds: inStatus.map((c) => c.id) });
    }
  }
  return rows;
}
