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
import type { ScenarioResult } from '../engine/run-scenario.ts';
import { loadConfig, REPO_ROOT } from '../config/env.ts';
import { SecretRegistry } from './redact.ts';
import { configuredSecrets } from '../leak/known-secrets.ts';
import { countOutcomes, decideVerdict, type MatrixRow, type RunModel, type ScenarioReport } from './model.ts';
import { renderHtml } from './render-html.ts';
import { renderJson } from './render-json.ts';
import { formatFinding, INCONCLUSIVE, NOT_ARRANGED, RESULT_ATTACHMENT } from '../suite/fixtures.ts';
import { loadSchemas } from '../suite/context.ts';
import { RUN_ID_VARIABLE, runPrefix } from '../states/live.ts';
import { collectProvenance } from './provenance.ts';
import { specsDirFrom } from '../suite/preflight.ts';

const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

interface Options {
  outputDir?: string;
}

export default class ConformanceReporter implements Reporter {
  private readonly outputDir: string;
  private readonly started = new Date();
  private readonly results = new Map<string, { test: TestCase; result: TestResult }>();
  private readonly errors: string[] = [];
  /** Masks what a run-level error might carry (the configured token, bearer values). */
  private readonly secrets = new SecretRegistry();

  constructor(options: Options = {}) {
    this.outputDir = path.resolve(REPO_ROOT, options.outputDir ?? 'reports');
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(_config: FullConfig, _suite: Suite): void {
    this.secrets.add(process.env.KATAPULT_API_TOKEN);
    // Credentials of the .env file too: a run-level error may quote one (a URL with a password).
    for (const s of configuredSecrets()) this.secrets.add(s.value);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const id = test.annotations.find((a) => a.type === 'scenario')?.description;
    if (!id) return;
    // With --retries or --repeat-each a scenario runs more than once: one
    // failed attempt is a failure, whatever the other attempts did.
    const failed = (r: TestResult) => r.status === 'failed' || r.status === 'timedOut' || r.status === 'interrupted';
    const earlier = this.results.get(id);
    if (earlier && failed(earlier.result) && !failed(result)) return;
    this.results.set(id, { test, result });
  }

  onError(error: TestError): void {
    this.errors.push(this.secrets.redactText(stripAnsi(error.message ?? error.value ?? 'unknown error').split('\n')[0]));
  }

  async onEnd(result: FullResult): Promise<{ status?: FullResult['status'] } | undefined> {
    const model = this.buildModel();
    mkdirSync(this.outputDir, { recursive: true });
    writeFileSync(path.join(this.outputDir, 'conformance.json'), renderJson(model));
    writeFileSync(path.join(this.outputDir, 'conformance.html'), renderHtml(model));
    const line = `Conformance: ${model.verdict.toUpperCase()} — ${model.verdictReason}. Report: ${path.relative(process.cwd(), path.join(this.outputDir, 'conformance.html'))}`;
    process.stdout.write(`\n${line}\n`);
    if (model.verdict === 'fail' && result.status === 'passed') return { status: 'failed' };
    return undefined;
  }

  private readonly operations = registeredOperations();
  private readonly planned: PlannedScenario[] = plannedScenarios(this.operations);

  private scenarioReport({ operation, scenario: meta }: PlannedScenario): ScenarioReport {
    const id = meta.id;
    const base = { id, operation: refOf(operation), title: meta.title, status: meta.status, variant: meta.variant, kind: meta.kind };
    const entry = this.results.get(id);
    if (!entry) {
      return { ...base, outcome: 'skipped', reason: 'did not run (the run stopped before it, or it was filtered out)', messages: [], warnings: [], findings: [], exchanges: [], durationMs: 0 };
    }
    const { test, result } = entry;
    const annotations = [...test.annotations, ...((result as { annotations?: { type: string; description?: string }[] }).annotations ?? [])];
    const note = (type: string) => annotations.find((a) => a.type === type)?.description;
    const attachment = result.attachments.find((a) => a.name === RESULT_ATTACHMENT && a.body);
    const run: ScenarioResult | undefined = attachment ? JSON.parse(attachment.body!.toString('utf8')) : undefined;
    const findings = run?.findings ?? [];
    const warnings = findings.filter((f) => f.severity === 'warning').map((f) => f.message);
    const errorFindings = findings.filter((f) => f.severity === 'error');
    const common = { ...base, warnings, findings, exchanges: run?.exchanges ?? [], durationMs: result.duration };

    if (note(NOT_ARRANGED)) return { ...common, outcome: 'not_arranged', reason: note(NOT_ARRANGED), messages: [`not arranged: ${note(NOT_ARRANGED)}`] };
    if (result.status === 'skipped') {
      if (note(INCONCLUSIVE)) return { ...common, outcome: 'inconclusive', reason: note(INCONCLUSIVE), messages: [] };
      return { ...common, outcome: 'skipped', reason: note('skip') ?? 'skipped without a reason', messages: [] };
    }
    if (result.status === 'passed') return { ...common, outcome: 'passed', messages: [] };
    // failed, timedOut or interrupted
    const messages = errorFindings.length
      ? errorFindings.map(formatFinding)
      : result.errors.map((e) => this.secrets.redactText(stripAnsi(e.message ?? e.value ?? 'failed')));
    if (result.status === 'timedOut') messages.push(`the scenario did not finish within its ${test.timeout} ms timeout`);
    if (result.status === 'interrupted') messages.push('the run was interrupted during this scenario');
    return { ...common, outcome: 'failed', messages };
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

  private buildModel(): RunModel {
    const scenarios = this.planned.map((p) => this.scenarioReport(p));
    // Errors that are really "a scenario failed" belong to that scenario, not the run.
    const runErrors = this.errors;
    const { verdict, reason } = decideVerdict(scenarios, runErrors);
    let target: RunModel['target'] = {
      baseUrl: process.env.BASE_URL ?? null,
      mode: 'unknown',
      modeLabel: 'unknown (the configuration could not be read)',
      stateArrangement: 'unknown',
      envelope: process.env.ERROR_ENVELOPE ?? 'flat',
      profile: 'strict (error bodies require code, description and an object detail; 403 discriminated on code)',
    };
    try {
      const config = loadConfig();
      target = {
        ...target,
        baseUrl: config.baseUrl ?? null,
        mode: config.mode,
        modeLabel: { bundled: 'bundled reference mock', state: 'vendor mock with provider states', live: 'live deployment', 'base-only': 'BASE_URL only (no states)' }[config.mode],
        stateArrangement:
          config.mode === 'base-only' ? 'none: only scenarios that need no state run' : config.mode === 'live' ? `throwaway tokens named ${runPrefix(process.env[RUN_ID_VARIABLE] ?? '<run id>')}… created and deleted through the API (organization ${config.live!.organization})` : `provider-state endpoint ${config.stateUrl}`,
        envelope: config.envelope,
      };
    } catch {
      // The configuration error itself is already in `errors`.
    }
    const finished = new Date();
    return {
      verdict,
      verdictReason: reason,
      operations: this.operations.map((op) => ({ ...refOf(op), title: op.title })),
      target: this.secrets.redact(target),
      startedAt: this.started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - this.started.getTime(),
      counts: countOutcomes(scenarios),
      matrix: this.matrix(),
      scenarios,
      errors: runErrors,
      provenance: collectProvenance({ root: REPO_ROOT, specsDir: specsDirFrom(), catalogue: this.planned.map((p) => p.scenario) }),
    };
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
