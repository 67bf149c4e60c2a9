/**
 * What every 200 flow of regenerate-secret does: regenerate the state's token
 * and check what a 200 promises (same id, unchanged fields, a secret unlike
 * every earlier one), and call with a given secret as the state's bearer would.
 */
import type { Auth } from '../../engine/exchange.ts';
import type { Expectation } from '../../checks/response.ts';
import { checkFieldsUnchanged, checkNewSecret, checkTokenId, tokenOf } from '../../checks/behaviour.ts';
import type { FlowRun } from '../types.ts';
import { lookupBody } from './request.ts';

const OK_200: Expectation = { statuses: [200] };

export type Caller = { auth: Auth; headers?: Record<string, string> };

/** Regenerates the state's token with the given auth and checks what a 200 promises. */
export async function regenerate(run: FlowRun, label: string, auth: Caller, earlier: { label: string; secret: string | undefined }[]): Promise<string | undefined> {
  const state = run.state!;
  const { status, body } = await run.call({ label, ...auth, body: lookupBody(state.api_token.id) }, OK_200);
  if (status !== 200) return undefined;
  return judgeRegeneration(run, body, label, earlier);
}

/** What a 200 promises, on its body: the requested id, unchanged fields, a secret unlike every earlier one. Answers the new secret. */
export function judgeRegeneration(run: FlowRun, body: unknown, label: string, earlier: { label: string; secret: string | undefined }[]): string | undefined {
  const state = run.state!;
  const secret = tokenOf(body)?.secret;
  if (typeof secret === 'string') run.secrets.add(secret);
  run.report(checkTokenId(body, state.api_token.id, label));
  run.report(checkFieldsUnchanged(body, state.api_token, label));
  run.report(checkNewSecret(body, earlier, label));
  return typeof secret === 'string' && secret !== '' ? secret : undefined;
}

export const before = (run: FlowRun) => ({ label: 'the secret before regeneration', secret: run.state!.secret });

/**
 * When the token regenerates itself (bearer == secret), the old secret IS the
 * state's bearer and the new secret is its successor: the state's headers go
 * with them, as with every request that uses the state's bearer.
 */
export function selfRegenerating(run: FlowRun): boolean {
  return run.state!.bearer === run.state!.secret;
}

export function asBearer(run: FlowRun, secret: string): Caller {
  return { auth: { kind: 'bearer', secret }, headers: selfRegenerating(run) ? run.state!.headers : undefined };
}

