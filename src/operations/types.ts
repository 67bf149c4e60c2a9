/**
 * An operation, as data: what the engine, the checks, the reporter and the
 * Playwright spec need to test one documented operation. Adding an operation
 * means writing (or generating) one descriptor and registering it
 * (src/operations/registry.ts); no engine, check or report code changes.
 *
 * The catalogue stays plain data (ids, statuses, rule and flow NAMES) so that
 * it can be hashed and listed; the behaviour behind the names (flows, detail
 * rules, the request builder) sits next to it in the descriptor.
 */
import type { Finding } from '../model/finding.ts';
import type { StateName } from '../protocol/provider-states.ts';
import type { StateAnswer } from '../protocol/state-answer.ts';
import type { Auth, RequestBody, RequestPlan } from '../engine/exchange.ts';
import type { Expectation } from '../checks/response.ts';
import type { SecretRegistry } from '../model/redact.ts';
import type { StrengthMode } from '../checks/secret-strength.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** How reports name an operation. `path` is the documented path template, relative to BASE_URL, with its leading slash. */
export interface OperationRef {
  /** The schema set's key: `<method>:<operationId>` (e.g. post:api_token_regenerate_secret). */
  id: string;
  method: HttpMethod;
  path: string;
}

/** Who is calling. */
export type AuthSpec =
  | { kind: 'none' }
  | { kind: 'state-bearer' }
  /** A bearer secret nobody issued (generated per run, so it cannot collide). */
  | { kind: 'unknown-bearer' }
  /** A non-Bearer scheme carrying the state's bearer, or a made-up value without a state. */
  | { kind: 'basic' };

/** What is sent as the body. `state-token` and `unknown-id` mean whatever the operation's request builder makes of them. */
export type BodySpec =
  /** The object the state arranged (for regenerate-secret: {"api_token": {"id": <the state's token>}}). */
  | { kind: 'state-token' }
  /** An object that does not exist. */
  | { kind: 'unknown-id' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string }
  /** Content-Type application/json and zero bytes. */
  | { kind: 'empty' }
  /** No body and no Content-Type. */
  | { kind: 'none' };

interface ScenarioBase {
  /** Unique across every registered operation. */
  id: string;
  title: string;
  /** The documented status the scenario is reported under. */
  status: number;
  /** The error code (403 oneOf variant, or the status's single code); null for a 2xx. */
  variant: string | null;
  state: StateName | null;
}

/** A multi-request behaviour, run by the operation's flow of that name. */
export interface FlowScenario extends ScenarioBase {
  kind: 'behaviour';
  /** A key of the descriptor's `flows`. */
  flow: string;
}

export interface SingleRequestScenario extends ScenarioBase {
  /** `auth_layer`: a scenario of the authentication-layer sweep. */
  kind: 'status' | 'bad_input' | 'auth_layer';
  auth: AuthSpec;
  body: BodySpec;
  /** Statuses that pass. Bad input accepts 400 and 422. */
  expectStatus: number[];
  /** The code that passes without a warning; any other code on an accepted status is a warning (bad input only). */
  expectCode: string;
  /** Keys of the descriptor's `detailRules`, checked when the expected code came back. */
  detailRules?: string[];
}

export type Scenario = FlowScenario | SingleRequestScenario;
export type ScenarioKind = Scenario['kind'];

export type { DetailRule, DetailRuleInput } from '../checks/detail.ts';
import type { DetailRule } from '../checks/detail.ts';

/** What one request of a flow came back with. */
export interface CallOutcome {
  status?: number;
  body?: unknown;
  /** When it came back (ISO 8601, the suite's clock) and how long it took. */
  receivedAt?: string;
  durationMs?: number;
}

/** What a flow may do with the scenario being run (implemented by the engine). */
export interface FlowRun {
  readonly state: StateAnswer | null;
  readonly secrets: SecretRegistry;
  /** Settings the flows' own checks read (SECRET_STRENGTH). */
  readonly settings: { secretStrength: StrengthMode };
  /** Sends one request of the scenario to the operation, records it and runs the response checks. */
  call(plan: RequestPlan, exp: Expectation): Promise<CallOutcome>;
  /** Sends the requests at the same moment (pacing turns taken first), each recorded and checked like `call`. */
  callTogether(calls: readonly { plan: RequestPlan; exp: Expectation }[]): Promise<CallOutcome[]>;
  /** The state's bearer, with the extra headers the state asked for. */
  bearerAuth(): { auth: Auth; headers?: Record<string, string> };
  /** Adds findings of the flow's own checks. */
  report(findings: Finding[]): void;
}

export type Flow = (run: FlowRun, scenario: FlowScenario) => Promise<void>;

/** Turns a scenario's specs into the concrete request parts of this operation. */
export interface RequestBuilder {
  /** The path to call, relative to BASE_URL, without a leading slash (path parameters filled in). */
  path(state: StateAnswer | null): string;
  body(spec: BodySpec, state: StateAnswer | null): RequestBody;
}

export interface OperationDescriptor extends OperationRef {
  /** The documented summary (e.g. "Regenerate organization API token secret"). */
  title: string;
  /** The spec document it comes from, relative to SPECS_DIR, and its operationId there. */
  spec: { document: string; operationId: string };
  request: RequestBuilder;
  catalogue: readonly Scenario[];
  /** Multi-request behaviours, by the name FlowScenario.flow uses. */
  flows: Readonly<Record<string, Flow>>;
  /** Detail rules, by the name SingleRequestScenario.detailRules uses. */
  detailRules: Readonly<Record<string, DetailRule>>;
  /** The provider states its catalogue arranges. */
  states: readonly StateName[];
  /**
   * Optional hooks of a generated operation (the authentication-layer sweep,
   * src/sweep/descriptors.ts); the engine and the fixtures call them when present.
   * Why this operation's scenarios do not run with this configuration (e.g. live mode without its opt-in).
   */
  unavailable?(config: { mode: string; liveAuthSweep?: boolean }): string | undefined;
  /** Why a scenario cannot run, with the state arranged for it (null before/without one): it is skipped with the reason. */
  skipReason?(scenario: Scenario, state: StateAnswer | null): string | undefined;
  /** Checks of the operation's own on every response of a scenario (e.g. a 2xx to an unauthenticated DELETE is critical). */
  responseChecks?(scenario: Scenario, response: { status?: number; label: string }): Finding[];
}

/** One scenario to run, with the operation it belongs to. */
export interface PlannedScenario {
  operation: OperationDescriptor;
  scenario: Scenario;
}

/** The name reports give an operation. */
export const refOf = (op: OperationRef): OperationRef => ({ id: op.id, method: op.method, path: op.path });
