/**
 * The multi-request behaviours of a 200 of regenerate-secret: the same token
 * comes back with a new secret, the old one is refused, the new one works, and
 * a second regeneration gives yet another secret.
 */
import type { Auth } from '../../engine/exchange.ts';
import type { Expectation } from '../../checks/response.ts';
import { checkFieldsUnchanged, checkNewSecret, checkTokenId, tokenOf } from '../../checks/behaviour.ts';
import type { Flow, FlowRun } from '../types.ts';
import { lookupBody, unknownId } from './request.ts';

const OK_200: Expectation = { statuses: [200] };

type Caller = { auth: Auth; headers?: Record<string, string> };

/** Regenerates the state's token with the given auth and checks what a 200 promises. */
async function regenerate(run: FlowRun, label: string, auth: Caller, earlier: { label: string; secret: string | undefined }[]): Promise<string | undefined> {
  const state = run.state!;
  const { status, body } = await run.call({ label, ...auth, body: lookupBody(state.api_token.id) }, OK_200);
  if (status !== 200) return undefined;
  const secret = tokenOf(body)?.secret;
  if (typeof secret === 'string') run.secrets.add(secret);
  run.report(checkTokenId(body, state.api_token.id, label));
  run.report(checkFieldsUnchanged(body, state.api_token, label));
  run.report(checkNewSecret(body, earlier, label));
  return typeof secret === 'string' && secret !== '' ? secret : undefined;
}

const before = (run: FlowRun) => ({ label: 'the secret before regeneration', secret: run.state!.secret });

/**
 * When the token regenerates itself (bearer == secret), the old secret IS the
 * state's bearer and the new secret is its successor: the state's headers go
 * with them, as with every request that uses the state's bearer.
 */
function selfRegenerating(run: FlowRun): boolean {
  return run.state!.bearer === run.state!.secret;
}

function asBearer(run: FlowRun, secret: string): Caller {
  return { auth: { kind: 'bearer', secret }, headers: selfRegenerating(run) ? run.state!.headers : undefined };
}

const regenerateOnce: Flow = async (run) => {
  await regenerate(run, 'regenerate', run.bearerAuth(), [before(run)]);
};

const oldSecretRejected: Flow = async (run) => {
  const first = await regenerate(run, 'regenerate', run.bearerAuth(), [before(run)]);
  if (first === undefined) return;
  const state = run.state!;
  await run.call(
    { label: 'follow-up with the old secret', ...asBearer(run, state.secret!), body: lookupBody(state.api_token.id) },
    { statuses: [403], code: 'invalid_api_token' },
  );
};

const newSecretAuthenticates: Flow = async (run) => {
  const first = await regenerate(run, 'regenerate', run.bearerAuth(), [before(run)]);
  if (first === undefined) return;
  // An id that does not exist: the call must get past authentication
  // without changing anything.
  await run.call(
    { label: 'follow-up with the new secret', ...asBearer(run, first), body: lookupBody(unknownId()) },
    { statuses: [], forbidden: [{ status: 400, code: 'missing_api_token' }, { status: 403, code: 'invalid_api_token' }] },
  );
};

const secondRegeneration: Flow = async (run) => {
  const old = before(run);
  const first = await regenerate(run, 'regenerate', run.bearerAuth(), [old]);
  if (first === undefined) return;
  // When the token regenerates itself, its bearer died with the first regeneration.
  const again = selfRegenerating(run) ? asBearer(run, first) : run.bearerAuth();
  await regenerate(run, 'second regeneration', again, [old, { label: 'the secret of the first regeneration', secret: first }]);
};

export const flows: Readonly<Record<string, Flow>> = {
  regenerate: regenerateOnce,
  'old-secret-rejected': oldSecretRejected,
  'new-secret-authenticates': newSecretAuthenticates,
  'second-regeneration': secondRegeneration,
};
