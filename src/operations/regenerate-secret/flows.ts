/**
 * The multi-request behaviours of a 200 of regenerate-secret: the same token
 * comes back with a new secret, the old one is refused, the new one works, and
 * a second regeneration gives yet another secret.
 */
import type { Flow } from '../types.ts';
import { lookupBody, unknownId } from './request.ts';
import { asBearer, before, regenerate, selfRegenerating } from './regeneration.ts';
import { historyFlows } from './history-flows.ts';
import { racingRegenerations } from './race-flow.ts';

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
  ...historyFlows,
  'racing-regenerations': racingRegenerations,
};
