/**
 * The provider-state protocol of the contract, shared by the suite (which
 * sends it) and the reference mock (which answers it):
 *
 *   POST {STATE_URL}
 *   {"state": "<name>", "params": {"instance": "<unique id>"}, "action": "setup" | "teardown"}
 */
export const STATE_NAMES = [
  'token_can_regenerate',
  'token_expired',
  'network_not_authorized',
  'capabilities_token_invalid',
  'scope_not_granted',
  'permission_denied',
  'validation_fails',
  'rate_limit_reached',
  'service_unavailable',
] as const;

export type StateName = (typeof STATE_NAMES)[number];

/** Answer fields each state must provide (besides the optional `headers`). */
export const STATE_FIELDS: Record<StateName, readonly string[]> = {
  token_can_regenerate: ['bearer', 'api_token', 'secret'],
  token_expired: ['bearer', 'api_token'],
  network_not_authorized: ['bearer', 'api_token'],
  capabilities_token_invalid: ['bearer', 'api_token', 'headers'],
  scope_not_granted: ['bearer', 'api_token'],
  permission_denied: ['bearer', 'api_token'],
  validation_fails: ['bearer', 'api_token'],
  rate_limit_reached: ['bearer', 'api_token', 'total_permitted'],
  service_unavailable: ['bearer', 'api_token'],
};
