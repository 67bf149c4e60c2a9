/**
 * Live mode's safety guard: before anything is sent, it refuses any request
 * that could regenerate the secret of a token this run did not create.
 */
import type { RequestBody } from '../engine/exchange.ts';
import type { RequestGuard } from '../engine/run-scenario.ts';
import { isObject } from '../model/json.ts';

/** Made-up ids the suite sends (unknown ids): they name no real token. */
const MADE_UP_ID = /^conformance-/;

/** The id in a request body, if it names one. */
function idIn(body: RequestBody): unknown {
  let value: unknown;
  if (body.kind === 'json') value = body.value;
  else if (body.kind === 'raw') {
    try {
      value = JSON.parse(body.text);
    } catch {
      return undefined;
    }
  } else return undefined;
  return isObject(value) && isObject(value.api_token) ? value.api_token.id : undefined;
}

/**
 * Refuses a request carrying the configured token, or naming an id that is
 * neither a throwaway this run holds (`isThrowaway`) nor made up.
 */
export function throwawayGuard(configured: string, isThrowaway: (id: string) => boolean): RequestGuard {
  return ({ auth, body, operation }) => {
    if ((auth.kind === 'bearer' && auth.secret === configured) || (auth.kind === 'raw' && auth.value.includes(configured))) {
      // Every operation: a scenario's request never carries the token the suite was given (the sweep sends none, or a throwaway's).
      if (operation && !operation.path.endsWith('/regenerate_secret')) {
        return `the configured KATAPULT_API_TOKEN is never sent by a scenario (here ${operation.method} ${operation.path}): the suite uses it only to manage its throwaway tokens`;
      }
      return 'the configured KATAPULT_API_TOKEN is never sent to regenerate_secret: the suite must not regenerate the secret of the token it was given';
    }
    const id = idIn(body);
    if (typeof id === 'string' && !isThrowaway(id) && !MADE_UP_ID.test(id)) {
      return `token ${id} is not a throwaway token this run created; the suite regenerates no other token's secret`;
    }
    return undefined;
  };
}
