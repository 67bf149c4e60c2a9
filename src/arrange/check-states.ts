/**
 * `check-states`: the provider-state endpoint alone. Sets up and tears down
 * every state of the protocol once and says, per state, what is wrong with
 * its answers and how to fix it: what a full run would only report as
 * "not arranged", in seconds and without any request to the operation.
 *
 * Values are never printed (a bearer is a secret): only statuses, field names
 * and JSON types.
 */
import { randomBytes } from 'node:crypto';
import { STATE_FIELDS, STATE_NAMES, type StateName } from '../protocol/provider-states.ts';
import { STATE_FIELD_RULES, jsonTypeOf, type StateField } from '../protocol/state-answer-fields.ts';
import { noAnswerWords, sendHttp } from '../engine/http-sender.ts';
import { isObject } from '../model/json.ts';

export interface StateProblem {
  /** The answer field concerned, when there is one. */
  field?: string;
  what: string;
  fix: string;
}

export interface StateCheck {
  state: StateName;
  /** HTTP status of the setup answer, or undefined when none arrived. */
  setupStatus?: number;
  teardownStatus?: number;
  /** Empty when the state is right. */
  problems: StateProblem[];
}

interface Answer {
  status: number;
  text: string;
}

async function post(stateUrl: string, body: object, timeoutMs: number): Promise<Answer> {
  const res = await sendHttp({
    method: 'POST',
    url: stateUrl,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    timeoutMs,
  });
  return { status: res.status, text: res.text };
}

const envelope = (state: StateName, instance: string, action: 'setup' | 'teardown') => ({ state, params: { instance }, action });

/** Judges one setup answer against the contract's fields for the state. */
export function judgeSetupAnswer(state: StateName, answer: Answer): StateProblem[] {
  const request = `{"state": "${state}", "params": {"instance": …}, "action": "setup"}`;
  if (answer.status < 200 || answer.status > 299) {
    return [{ what: `setup answered HTTP ${answer.status}`, fix: `answer 200 with the state's values to ${request}` }];
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [{ what: answer.text === '' ? 'setup answered an empty body' : 'setup answered a body that is not JSON', fix: 'answer a JSON object (Content-Type: application/json)' }];
  }
  if (!isObject(body)) return [{ what: `setup answered ${jsonTypeOf(body)}, not a JSON object`, fix: 'answer a JSON object holding the state\'s fields' }];

  const required = STATE_FIELDS[state] as readonly StateField[];
  const problems: StateProblem[] = [];
  for (const field of Object.keys(STATE_FIELD_RULES) as StateField[]) {
    const rule = STATE_FIELD_RULES[field];
    const value = body[field];
    if (value === undefined || value === null) {
      if (required.includes(field)) problems.push({ field, what: `"${field}" is missing (must be ${rule.expected})`, fix: rule.fix });
      continue;
    }
    const wrong = rule.problem(value);
    if (wrong) problems.push({ field, what: `"${field}" ${wrong}, must be ${rule.expected}`, fix: rule.fix });
  }
  return problems;
}

/** Sets up and tears down one state; never throws. */
export async function checkState(stateUrl: string, state: StateName, timeoutMs: number): Promise<StateCheck> {
  const instance = `check-states-${randomBytes(6).toString('hex')}`;
  const check: StateCheck = { state, problems: [] };
  let setup: Answer;
  try {
    setup = await post(stateUrl, envelope(state, instance, 'setup'), timeoutMs);
    check.setupStatus = setup.status;
    check.problems.push(...judgeSetupAnswer(state, setup));
  } catch (e) {
    check.problems.push({ what: `setup got no answer: ${noAnswerWords(e, timeoutMs)}`, fix: `start the mock, and check that STATE_URL is its state endpoint` });
  }
  // A teardown follows every setup, as in a run, so the endpoint is left as found.
  try {
    const teardown = await post(stateUrl, envelope(state, instance, 'teardown'), timeoutMs);
    check.teardownStatus = teardown.status;
  } catch (e) {
    check.problems.push({ what: `teardown got no answer: ${noAnswerWords(e, timeoutMs)}`, fix: 'answer every "action": "teardown" (any status; 200 {} is enough) and remove what that setup created' });
  }
  return check;
}

/**
 * Every state at once: a run arranges several states at the same time, so
 * the endpoint must cope with that.
 */
export function checkStates(stateUrl: string, options: { timeoutMs: number; states?: readonly StateName[] }): Promise<StateCheck[]> {
  return Promise.all((options.states ?? STATE_NAMES).map((state) => checkState(stateUrl, state, options.timeoutMs)));
}

/** The table: one row per state, what is wrong and how to fix it. */
export function renderStateChecks(stateUrl: string, checks: readonly StateCheck[]): string {
  const rows = checks.map((c) => [
    c.state,
    c.setupStatus === undefined ? '-' : String(c.setupStatus),
    c.teardownStatus === undefined ? '-' : String(c.teardownStatus),
    c.problems.length === 0 ? 'ok' : 'WRONG',
    c.problems.map((p) => p.what).join('; '),
    [...new Set(c.problems.map((p) => p.fix))].join('; '),
  ]);
  const header = ['state', 'setup', 'teardown', 'result', 'what is wrong', 'how to fix it'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // The last two columns are not padded: they may be long, and trailing blanks help nobody.
  const line = (cells: string[]) => cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd();
  const wrong = checks.filter((c) => c.problems.length > 0).length;
  return [
    `Provider states of ${stateUrl}:`,
    line(header),
    ...rows.map(line),
    '',
    wrong === 0
      ? `check-states: PASS — all ${checks.length} states set up and torn down as the protocol asks.`
      : `check-states: FAIL — ${wrong} of ${checks.length} states answered wrongly (a full run would report their scenarios as not arranged).`,
    '',
  ].join('\n');
}
