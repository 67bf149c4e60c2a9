/**
 * A token's whole history, not only its first rotation: after each of several
 * regenerations every earlier secret is refused and the newest works; the
 * newest keeps working on repeated use; and the issued secrets are judged for
 * strength. Works where the token regenerates itself (bearer == secret) and
 * where a separate caller regenerates it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Expectation } from '../../checks/response.ts';
import { checkSecretStrength } from '../../checks/secret-strength.ts';
import { error } from '../../model/finding.ts';
import type { Flow } from '../types.ts';
import { asBearer, before, regenerate, selfRegenerating, type Caller } from './regeneration.ts';
import { lookupBody, unknownId } from './request.ts';
import { errorCodeOf as codeOf } from '../../checks/error-body.ts';

/** Regenerations in the history scenario: the third is the first that can revive a secret two back. */
export const HISTORY_REGENERATIONS = 3;
/** Uses of the new secret, and the wait between them (so they spread over a second or more). */
export const REPEATED_USES = 3;
export const WAIT_BETWEEN_USES_MS = 600;

/** A call that must get past authentication; an unknown id makes it change nothing. */
const AUTHENTICATES: Expectation = { statuses: [], forbidden: [{ status: 400, code: 'missing_api_token' }, { status: 403, code: 'invalid_api_token' }] };
const REFUSED: Expectation = { statuses: [403], code: 'invalid_api_token' };

const everyEarlierSecretRefused: Flow = async (run) => {
  const history: { label: string; secret: string | undefined }[] = [before(run)];
  const issued: { label: string; secret: string | undefined }[] = [before(run)];
  let caller: Caller = run.bearerAuth();
  for (let n = 1; n <= HISTORY_REGENERATIONS; n++) {
    const label = `regeneration ${n}`;
    // regenerate() checks id, fields and a secret unlike every earlier one.
    const secret = await regenerate(run, label, caller, history);
    if (secret === undefined) break;
    for (const earlier of history) {
      if (earlier.secret === undefined) continue;
      const probe = `after regeneration ${n}: ${earlier.label}`;
      const { status, body } = await run.call({ label: probe, ...asBearer(run, earlier.secret), body: lookupBody(unknownId()) }, REFUSED);
      if (status !== undefined && !(status === 403 && codeOf(body) === 'invalid_api_token')) {
        run.report([
          error('earlier_secrets_refused', `after regeneration ${n}, ${earlier.label} is not refused (answered ${status}${codeOf(body) ? ` ${String(codeOf(body))}` : ''}); every earlier secret of the token must stay refused with 403 invalid_api_token`, {
            expected: '403 invalid_api_token',
            actual: `${status}${codeOf(body) ? ` ${String(codeOf(body))}` : ''}`,
            exchange: probe,
          }),
        ]);
      }
    }
    await run.call({ label: `after regeneration ${n}: its new secret`, ...asBearer(run, secret), body: lookupBody(unknownId()) }, AUTHENTICATES);
    history.push({ label: `the secret of regeneration ${n}`, secret });
    issued.push({ label, secret });
    // When the token regenerates itself, only its newest secret can regenerate it.
    if (selfRegenerating(run)) caller = asBearer(run, secret);
  }
  run.report(checkSecretStrength(issued, run.settings.secretStrength));
};

const newSecretKeepsAuthenticating: Flow = async (run) => {
  const secret = await regenerate(run, 'regenerate', run.bearerAuth(), [before(run)]);
  if (secret === undefined) return;
  for (let use = 1; use <= REPEATED_USES; use++) {
    // A real wait: a secret that expires or is revoked shortly after issue shows only over time.
    if (use > 1) await sleep(WAIT_BETWEEN_USES_MS);
    await run.call({ label: `use ${use} of ${REPEATED_USES} of the new secret`, ...asBearer(run, secret), body: lookupBody(unknownId()) }, AUTHENTICATES);
  }
};

export const historyFlows: Readonly<Record<string, Flow>> = {
  'every-earlier-secret-refused': everyEarlierSecretRefused,
  'new-secret-keeps-authenticating': newSecretKeepsAuthenticating,
};
