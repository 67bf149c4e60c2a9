/**
 * What a provider-state setup answers, as the contract names its fields;
 * shared by the suite's arrangers (which read it) and the reference mock
 * (which answers it). Which state needs which field is in provider-states.ts,
 * each field's type rule in state-answer-fields.ts.
 */

/** The token of a state answer as stored, without its secret; the mock's own view type narrows it. */
export type StateToken = Record<string, unknown> & { id: string };

export interface StateAnswer<ApiToken extends { id: string } = StateToken> {
  bearer: string;
  api_token: ApiToken;
  secret?: string;
  total_permitted?: number;
  /** Extra request headers, sent verbatim on every request that uses `bearer`. */
  headers?: Record<string, string>;
}
