/**
 * Runs one scenario of an operation's catalogue against a target, with its
 * state already arranged, and returns the result. Knows no operation: the
 * descriptor says where to send, how to build the body, and which flows and
 * detail rules the scenario's names mean. Used by the Playwright spec and, in
 * process, by the proof tests.
 */
import { randomUUID } from 'node:crypto';
import type { Finding } from '../model/finding.ts';
import type { TargetMode, ErrorEnvelope } from '../config/env.ts';
import { checkResponse, type CheckContext, type Expectation, type SchemaJudge } from '../checks/response.ts';
import { tokenOf } from '../checks/behaviour.ts';
import { errorCodeOf } from '../checks/error-body.ts';
import { send, toRecord, type Auth, type Exchange, type ExchangeRecord, type RequestBody, type RequestPlan } from './exchange.ts';
import type { SecretRegistry } from '../model/redact.ts';
import type { StrengthMode } from '../checks/secret-strength.ts';
import { refOf, type CallOutcome, type FlowRun, type OperationDescriptor, type OperationRef, type Scenario, type SingleRequestScenario } from '../operations/types.ts';
import { requestTemplate } from './request-template.ts';
import type { StateAnswer } from '../protocol/state-answer.ts';

export type Outcome = 'passed' | 'failed' | 'skipped' | 'not_arranged' | 'inconclusive';

export interface ScenarioResult {
  id: string;
  /** The operation the scenario belongs to. */
  operation: OperationRef;
  outcome: Outcome;
  findings: Finding[];
  exchanges: ExchangeRecord[];
  /** Why the scenario was skipped, not arranged or inconclusive. */
  reason?: string;
}

export interface EngineContext {
  baseUrl: string;
  mode: TargetMode;
  envelope: ErrorEnvelope;
  requestTimeoutMs: number;
  schemas: SchemaJudge;
  secrets: SecretRegistry;
  /** Awaited before every request (live mode paces the suite's own traffic). */
  pace?: () => Promise<void>;
  /** Asked before every request; a reason refuses it (live mode protects the configured token). */
  guard?: RequestGuard;
  /** SECRET_STRENGTH: whether a guessable issued secret is a warning (default) or a failure. */
  secretStrength?: StrengthMode;
}

/** A safety rule on the requests the engine is about to send: a reason to refuse one, or undefined. */
export type RequestGuard = (request: { auth: Auth; body: RequestBody; operation?: OperationRef }) => string | undefined;

/** A request refused by the safety guard: nothing was sent, and the scenario stops with this message. */
export class SafetyGuardError extends Error {
  constructor(reason: string) {
    super(`refused by the suite's safety guard, nothing was sent: ${reason}`);
    this.name = 'SafetyGuardError';
  }
}

class Run implements FlowRun {
  readonly exchanges: Exchange[] = [];
  readonly findings: Finding[] = [];
  inconclusive?: string;
  /** Secrets handed out by this scenario's 2xx answers, for the reproduction's placeholders. */
  private readonly issued: { secret: string; request: number; label: string }[] = [];

  constructor(
    readonly operation: OperationDescriptor,
    readonly scenario: Scenario,
    readonly ctx: EngineContext,
    readonly state: StateAnswer | null,
  ) {}

  get secrets(): SecretRegistry {
    return this.ctx.secrets;
  }

  get settings(): { secretStrength: StrengthMode } {
    return { secretStrength: this.ctx.secretStrength ?? 'warn' };
  }

  get checkCtx(): CheckContext {
    return { operationId: this.operation.id, detailRules: this.operation.detailRules, schemas: this.ctx.schemas, envelope: this.ctx.envelope, secrets: this.ctx.secrets };
  }

  report(findings: Finding[]): void {
    this.findings.push(...findings);
  }

  async callTogether(calls: readonly { plan: RequestPlan; exp: Expectation }[]): Promise<CallOutcome[]> {
    // Pacing spaces requests apart; a race needs them at the same moment, so
    // every turn is taken first and the requests then go out together.
    if (this.ctx.pace) for (let i = 0; i < calls.length; i++) await this.ctx.pace();
    return Promise.all(calls.map((c) => this.call(c.plan, c.exp, false)));
  }

  async call(plan: RequestPlan, exp: Expectation, paced = true): Promise<CallOutcome> {
    // Every Authorization value sent is masked in reports; only the contract's
    // credentials (registered where they are learnt) are judged in error bodies.
    if (plan.auth.kind === 'bearer') this.ctx.secrets.add(plan.auth.secret, 'mask-only');
    if (plan.auth.kind === 'raw') {
      this.ctx.secrets.add(plan.auth.value, 'mask-only');
      this.ctx.secrets.add(plan.auth.value.replace(/^\S+\s+/, ''), 'mask-only');
    }
    const refusal = this.ctx.guard?.({ auth: plan.auth, body: plan.body, operation: refOf(this.operation) });
    if (refusal !== undefined) throw new SafetyGuardError(this.ctx.secrets.redactText(refusal));
    if (paced && this.ctx.pace) await this.ctx.pace();
    const x = await send(plan, {
      method: this.operation.method,
      baseUrl: this.ctx.baseUrl,
      path: this.operation.request.path(this.state),
      timeoutMs: this.ctx.requestTimeoutMs,
    });
    this.exchanges.push(x);
    x.template = requestTemplate(plan, x.requestHeaders, x.requestBody, { state: this.state, stateName: this.scenario.state, live: this.ctx.mode === 'live', issued: this.issued });
    // Credential-like fields of any answer are masked from now on (after this
    // answer's own checks, so that an echo is judged only against what the
    // suite held before it).
    const verdict = checkResponse(x, exp, this.checkCtx);
    registerSecrets(x.response?.json, this.ctx.secrets);
    // Any 2xx of this operation is a regeneration: its secret is a credential.
    const status = x.response?.status ?? 0;
    if (status >= 200 && status < 300) this.ctx.secrets.add(tokenOf(x.response?.json)?.secret, 'credential');
    const handedOut = status >= 200 && status < 300 ? tokenOf(x.response?.json)?.secret : undefined;
    if (typeof handedOut === 'string' && handedOut !== '') this.issued.push({ secret: handedOut, request: this.exchanges.length, label: x.label });
    // A rate limit spoils the scenario only while nothing had already failed:
    // an earlier real failure stays a failure.
    if (this.spoiledByRateLimit(x) && !this.findings.some((f) => f.severity === 'error')) {
      this.inconclusive = `"${x.label}" met 429 rate_limit_reached outside the rate-limit scenario: the target's shared rate limit spoiled this scenario, so it proves nothing either way`;
    }
    this.findings.push(...verdict.findings);
    if (this.operation.responseChecks) this.findings.push(...this.operation.responseChecks(this.scenario, { status: x.response?.status, label: x.label }));
    return { status: x.response?.status, body: verdict.body, receivedAt: x.receivedAt, durationMs: x.durationMs };
  }

  /**
   * Against a real deployment a shared rate limit can answer any request with
   * 429; that is the environment, not a conformance failure. Mocks with states
   * are deterministic, so there it stays a failure.
   */
  private spoiledByRateLimit(x: Exchange): boolean {
    if (this.scenario.status === 429) return false;
    if (this.ctx.mode !== 'live' && this.ctx.mode !== 'base-only') return false;
    return x.response?.status === 429 && errorCodeOf(x.response.json) === 'rate_limit_reached';
  }

  /** The state's bearer, with the extra headers the state asked for. */
  bearerAuth(): { auth: Auth; headers?: Record<string, string> } {
    return { auth: { kind: 'bearer', secret: this.state!.bearer }, headers: this.state!.headers };
  }

  result(): ScenarioResult {
    const errors = this.findings.some((f) => f.severity === 'error');
    const outcome: Outcome = this.inconclusive ? 'inconclusive' : errors ? 'failed' : 'passed';
    // A critical finding (harm may have been done) comes first: it is what a reader must see.
    const findings = [...this.findings].sort((a, b) => Number(b.critical === true) - Number(a.critical === true));
    return {
      id: this.scenario.id,
      operation: refOf(this.operation),
      outcome,
      findings: this.ctx.secrets.redact(findings),
      exchanges: this.exchanges.map((x) => toRecord(x, this.ctx.secrets)),
      reason: this.inconclusive ? this.ctx.secrets.redactText(this.inconclusive) : undefined,
    };
  }
}

/** Registers every string under a credential-like key anywhere in a parsed body. */
function registerSecrets(value: unknown, secrets: SecretRegistry, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && /^(secret|bearer|token)$/i.test(k)) secrets.add(v, 'mask-only');
    else registerSecrets(v, secrets, depth + 1);
  }
}

async function runSingle(run: Run, s: SingleRequestScenario): Promise<void> {
  let auth: Auth;
  let headers: Record<string, string> | undefined;
  switch (s.auth.kind) {
    case 'none':
      auth = { kind: 'none' };
      break;
    case 'state-bearer':
      ({ auth, headers } = run.bearerAuth());
      break;
    case 'unknown-bearer': {
      const secret = `conformance-unknown-${randomUUID()}`;
      run.ctx.secrets.add(secret, 'mask-only');
      auth = { kind: 'bearer', secret };
      break;
    }
    case 'basic':
      auth = { kind: 'raw', value: `Basic ${Buffer.from('conformance:not-a-bearer-token').toString('base64')}` };
      break;
  }
  await run.call(
    { label: s.kind === 'bad_input' ? `bad input: ${s.title.split(' is refused')[0].replace(/^bad input: /, '')}` : 'the scenario\'s request', auth, headers, body: run.operation.request.body(s.body, run.state) },
    {
      statuses: s.expectStatus,
      code: s.expectCode,
      otherCodesWarn: s.kind === 'bad_input',
      preferredStatus: s.kind === 'bad_input' ? s.status : undefined,
      detailRules: s.detailRules,
      state: run.state ? { total_permitted: run.state.total_permitted } : undefined,
    },
  );
}

export async function runScenario(operation: OperationDescriptor, scenario: Scenario, state: StateAnswer | null, ctx: EngineContext): Promise<ScenarioResult> {
  const skip = operation.skipReason?.(scenario, state);
  if (skip !== undefined) return { id: scenario.id, operation: refOf(operation), outcome: 'skipped', findings: [], exchanges: [], reason: ctx.secrets.redactText(skip) };
  const run = new Run(operation, scenario, ctx, state);
  if (scenario.kind === 'behaviour') {
    const flow = Object.prototype.hasOwnProperty.call(operation.flows, scenario.flow) ? operation.flows[scenario.flow] : undefined;
    if (!flow) throw new Error(`scenario "${scenario.id}" names the flow "${scenario.flow}", which ${operation.id} does not define`);
    await flow(run, scenario);
  } else await runSingle(run, scenario);
  return run.result();
}
