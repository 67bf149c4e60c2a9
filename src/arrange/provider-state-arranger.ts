/**
 * The Pact-compatible provider-state protocol of the contract:
 * POST {STATE_URL} {"state", "params": {"instance"}, "action": "setup"|"teardown"}.
 */
import { STATE_FIELDS, type StateName } from '../protocol/provider-states.ts';
import type { SecretRegistry } from '../model/redact.ts';
import { NotArrangedError, type Availability, type StateAnswer, type StateArranger } from './arranger.ts';
import { HttpSendError, noAnswerWords, sendHttp } from '../engine/http-sender.ts';
import { STATE_FIELD_RULES, type StateField } from '../protocol/state-answer-fields.ts';
import { isObject } from '../model/json.ts';

export class ProviderStateArranger implements StateArranger {
  readonly description: string;

  constructor(
    private readonly stateUrl: string,
    private readonly secrets: SecretRegistry,
    private readonly timeoutMs: number,
  ) {
    this.description = `provider states through ${stateUrl}`;
  }

  availability(): Availability {
    return { ok: true };
  }

  private async post(state: StateName, instance: string, action: 'setup' | 'teardown'): Promise<{ status: number; text: string; contentType: string }> {
    const res = await sendHttp({
      method: 'POST',
      url: this.stateUrl,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ state, params: { instance }, action }),
      timeoutMs: this.timeoutMs,
    });
    return { status: res.status, text: res.text, contentType: res.headers.get('content-type') ?? '' };
  }

  private excerpt(text: string): string {
    return this.secrets.redactText(text.length > 200 ? `${text.slice(0, 200)}…` : text) || 'empty body';
  }

  private notJson(answer: { status: number; text: string; contentType: string }): string | undefined {
    try {
      JSON.parse(answer.text);
      return undefined;
    } catch {
      const type = answer.contentType ? `${answer.contentType.split(';')[0]} ` : '';
      return `HTTP ${answer.status} ${type}that is not JSON (${this.excerpt(answer.text)})`;
    }
  }

  async setup(state: StateName, instance: string): Promise<StateAnswer> {
    let answer: { status: number; text: string; contentType: string };
    try {
      answer = await this.post(state, instance, 'setup');
    } catch (e) {
      throw new NotArrangedError(`state "${state}": the state endpoint ${this.stateUrl} did not answer the setup (${noAnswerWords(e, this.timeoutMs)})`);
    }
    if (answer.status < 200 || answer.status > 299) {
      throw new NotArrangedError(`state "${state}": the state endpoint answered the setup with HTTP ${answer.status} (${this.excerpt(answer.text)})`);
    }
    const notJson = this.notJson(answer);
    if (notJson) throw new NotArrangedError(`state "${state}": the state endpoint answered the setup with ${notJson}`);
    return validateStateAnswer(state, JSON.parse(answer.text), this.secrets);
  }

  /**
   * The run's first setup, sent once at start. An endpoint that answers it
   * 404, or with a page that is not JSON, is no provider-state endpoint (a
   * wrong path, a web server): the run stops with this message instead of
   * failing every stateful scenario one by one. Anything else (a working
   * endpoint, a JSON error of one state, no answer) is left to the scenarios,
   * which report it as today. What the setup arranged is torn down.
   */
  async firstSetupProblem(state: StateName, instance: string): Promise<string | undefined> {
    let answer: { status: number; text: string; contentType: string };
    try {
      answer = await this.post(state, instance, 'setup');
    } catch {
      return undefined;
    }
    try {
      const notJson = this.notJson(answer);
      if (answer.status === 404) return `the first state setup (state "${state}") was answered HTTP 404 (${this.excerpt(answer.text)})`;
      if (notJson) return `the first state setup (state "${state}") was answered ${notJson}`;
      // Register what a working endpoint answered: nothing prints it, but the leak scan must know it.
      const body: unknown = JSON.parse(answer.text);
      if (isObject(body)) for (const v of [body.bearer, body.secret]) this.secrets.add(v);
      return undefined;
    } finally {
      await this.teardown(state, instance);
    }
  }

  async teardown(state: StateName, instance: string): Promise<string | undefined> {
    try {
      await this.post(state, instance, 'teardown');
      return undefined;
    } catch (e) {
      return `teardown of state "${state}" failed: ${((e instanceof HttpSendError ? e.reason : e) as Error).message}`;
    }
  }
}

/** The fields judged, in the order their problems are listed. */
const CHECKED_FIELDS: readonly StateField[] = ['bearer', 'secret', 'api_token', 'total_permitted', 'headers'];
/** Where this arranger words a rule shorter than check-states does. */
const EXPECTED: Partial<Record<StateField, string>> = { headers: 'an object of strings' };

/**
 * Checks an answer against the fields the contract lists for the state and
 * registers every credential in it before anything else can print it.
 */
export function validateStateAnswer(state: StateName, body: unknown, secrets: SecretRegistry): StateAnswer {
  if (!isObject(body)) throw new NotArrangedError(`state "${state}": the answer is not a JSON object`);
  // Register first: even a rejected answer must not leak through a message.
  secrets.add(body.bearer);
  secrets.add(body.secret);
  if (isObject(body.headers)) for (const v of Object.values(body.headers)) secrets.add(v, 'mask-only');

  const problems: string[] = [];
  for (const field of STATE_FIELDS[state]) if (body[field] === undefined || body[field] === null) problems.push(`missing "${field}"`);
  // The contract's rule for each field (state-answer-fields.ts), in this arranger's shorter words.
  for (const field of CHECKED_FIELDS) {
    if (body[field] !== undefined && STATE_FIELD_RULES[field].problem(body[field]) !== undefined) problems.push(`"${field}" must be ${EXPECTED[field] ?? STATE_FIELD_RULES[field].expected}`);
  }
  if (problems.length) throw new NotArrangedError(`state "${state}": the state endpoint's answer is unusable: ${problems.join('; ')}`);
  return body as unknown as StateAnswer;
}
