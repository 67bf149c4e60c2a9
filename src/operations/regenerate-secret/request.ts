/** How a regenerate-secret scenario's body specs become requests. */
import { randomUUID } from 'node:crypto';
import type { RequestBody } from '../../engine/exchange.ts';
import type { StateAnswer } from '../../protocol/state-answer.ts';
import type { BodySpec, RequestBuilder } from '../types.ts';

/** Relative to BASE_URL (which includes /core/v1 for the vendor's API). */
export const PATH = 'api_tokens/api_token/regenerate_secret';

/** An id no target can hold: a regeneration for it changes nothing. */
export const unknownId = (): string => `conformance-missing-${randomUUID()}`;

export const lookupBody = (id: string): RequestBody => ({ kind: 'json', value: { api_token: { id } } });

export const request: RequestBuilder = {
  path: () => PATH,
  body(spec: BodySpec, state: StateAnswer | null): RequestBody {
    switch (spec.kind) {
      case 'state-token':
        return lookupBody(state!.api_token.id);
      case 'unknown-id':
        return lookupBody(unknownId());
      default:
        return spec;
    }
  },
};
