/**
 * The Pact-compatible provider-state protocol of the contract:
 * POST {STATE_URL} {"state", "params": {"instance"}, "action": "setup"|"teardown"}.
 */
import { STATE_FIELDS, type StateName } from '../protocol/provider-states.ts';
import type { SecretRegistry } from '../report/redact.ts';
import { NotArrangedError, type Availability, type StateAnswer, type StateArranger } from './arranger.ts';
import { describeFetchError } from '../engine/fetch-error.ts';
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
    const res = await fetch(this.stateUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ state, params: { instance }, action }),
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'manual',
    });
    return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') ?? '' };
  }

  async setup(state: StateName, instance: string): Promise<StateAnswer> {
    let answer: { status: number; text: string; contentType: string };
    try {
      answer = await this.post(state, instance, 'setup');
    } catch (e) {
      throw new NotArrangedError(`state "${state}": the state endpoint ${this.stateUrl} did not answer the setup (${describeFetchError(e, this.timeoutMs)})`);
    }
    const excerpt = (t: string) => this.secrets.redactText(t.length > 200 ? `${t.slice(0, 200)}…` : t);
    if (answer.status < 200 || answer.status > 299) {
      throw new NotArrangedError(`state "${state}": the state endpoint answered the setup with HTTP ${answer.status} (${excerpt(answer.text) || 'empty body'})`);
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      const type = answer.contentType ? `${answer.contentType.split(';')[0]} ` : '';
      throw new NotArrangedError(`state "${state}": the state endpoint answered the setup with HTTP ${answer.status} ${type}that is not JSON (${excerpt(answer.text) || 'empty body'})`);
    }
    return validateStateAnswer(state, body, this.secrets);
  }

  async teardown(state: StateName, instance: string): Promise<string | undefined> {
    try {
      await this.post(state, instance, 'teardown');
      return undefined;
    } catch (e) {
      return `teardown of state "${state}" failed: ${(e as Error).message}`;
    }
  }
}

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
  if (body.bearer !== undefined && (typeof body.bearer !== 'string' || body.bearer === '')) problems.push('"bearer" must be a non-empty string');
  if (body.secret !== undefined && (typeof body.secret !== 'string' || body.secret === '')) problems.push('"secret" must be a non-empty string');
  if (body.api_token !== undefined && !(isObject(body.api_token) && typeof body.api_token.id === 'string' && body.api_token.id !== ''))
    problems.push('"api_token" must be an object with a non-empty string "id"');
  if (body.total_permitted !== undefined && !Number.isInteger(body.total_permitted)) problems.push('"total_permitted" must be an integer');
  if (body.headers !== undefined && !(isObject(body.headers) && Object.values(body.headers).every((v) => typeof v === 'string')))
    problems.push('"headers" must be an object of strings');
  if (problems.length) throw new NotArrangedError(`state "${state}": the state endpoint's answer is unusable: ${problems.join('; ')}`);
  return body as unknown as StateAnswer;
}
