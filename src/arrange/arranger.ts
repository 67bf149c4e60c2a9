/**
 * Arranging the situation a scenario needs. Each target kind has an arranger:
 * a provider-state endpoint (vendor mocks and the bundled mock), none (a bare
 * BASE_URL), or the live API itself.
 */
import type { StateName } from '../protocol/provider-states.ts';
import type { StateAnswer } from '../protocol/state-answer.ts';

export type { StateAnswer } from '../protocol/state-answer.ts';

export type Availability = { ok: true } | { ok: false; reason: string };

export interface StateArranger {
  /** One line for reports: how states are arranged. */
  readonly description: string;
  /** Whether this target can arrange the state at all; a "no" skips the scenario with the reason. */
  availability(state: StateName): Availability;
  /** Arranges the state; throws NotArrangedError when the target could not. */
  setup(state: StateName, instance: string): Promise<StateAnswer>;
  /** Removes what that setup created. Never throws: a failed teardown is reported, not fatal. */
  teardown(state: StateName, instance: string): Promise<string | undefined>;
  /** Removes whatever this arranger created and still holds (end of a worker). Never throws. */
  close?(): Promise<void>;
  /** Extra time a state's setup may take beyond the usual request budget (a bounded wait or burst), ms. */
  setupBudgetMs?(state: StateName): number;
}

/** The state could not be arranged: reported apart from conformance failures. */
export class NotArrangedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotArrangedError';
  }
}

/**
 * The target turned out not to be able to arrange this state (found out only
 * by trying, e.g. a live deployment that refuses a short expiry): the
 * scenario is skipped with this reason, never passed.
 */
export class StateSkippedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateSkippedError';
  }
}

/** The environment spoiled the arrangement (a shared rate limit met): the scenario is inconclusive. */
export class ArrangementInconclusiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArrangementInconclusiveError';
  }
}

/** A bare BASE_URL: nothing can be arranged. */
export class NoStateArranger implements StateArranger {
  readonly description = 'none (BASE_URL only)';

  availability(state: StateName): Availability {
    return {
      ok: false,
      reason: `needs the provider state "${state}", which BASE_URL alone cannot arrange; set STATE_URL to a mock's provider-state endpoint, or KATAPULT_API_TOKEN and KATAPULT_ORGANIZATION for live mode`,
    };
  }

  async setup(state: StateName): Promise<StateAnswer> {
    throw new NotArrangedError(this.availability(state).ok ? '' : (this.availability(state) as { reason: string }).reason);
  }

  async teardown(): Promise<undefined> {
    return undefined;
  }
}

/** What came of arranging one state for one scenario. */
export type Arrangement =
  | { kind: 'ready'; answer: StateAnswer }
  | { kind: 'skipped'; reason: string }
  | { kind: 'inconclusive'; reason: string }
  | { kind: 'not_arranged'; reason: string };

/**
 * Sets up a state and sorts a failure into the outcome it stands for; on any
 * outcome but "ready" what the setup may have created is torn down already.
 * Reasons are redacted. Shared by the Playwright fixture and the in-process runner.
 */
export async function arrange(arranger: StateArranger, state: StateName, instance: string, redact: (text: string) => string): Promise<Arrangement> {
  try {
    return { kind: 'ready', answer: await arranger.setup(state, instance) };
  } catch (e) {
    const kind: Exclude<Arrangement['kind'], 'ready'> | undefined =
      e instanceof NotArrangedError ? 'not_arranged' : e instanceof StateSkippedError ? 'skipped' : e instanceof ArrangementInconclusiveError ? 'inconclusive' : undefined;
    if (!kind) throw e;
    await arranger.teardown(state, instance);
    return { kind, reason: redact((e as Error).message) };
  }
}
