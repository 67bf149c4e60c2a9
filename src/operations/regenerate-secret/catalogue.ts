/**
 * The scenario catalogue of "Regenerate organization API token secret", as
 * data. The flows its behaviour scenarios name are in ./flows.ts, the detail
 * rules in ./detail-rules.ts; a unit test (tests/unit/catalogue.test.ts) fails
 * when the derived schemas document a status or 403 variant that no scenario
 * covers.
 */
import type { BodySpec, AuthSpec, Scenario, SingleRequestScenario } from '../types.ts';

const authenticated = { auth: { kind: 'state-bearer' } as AuthSpec, body: { kind: 'state-token' } as BodySpec };
/** A well-formed body for scenarios that need no state: the id is irrelevant to them. */
const someTokenBody: BodySpec = { kind: 'json', value: { api_token: { id: 'conformance-any-token-id' } } };

const errorScenario = (
  s: Omit<SingleRequestScenario, 'kind' | 'expectStatus' | 'expectCode'> & { kind?: 'status' },
): SingleRequestScenario => ({
  ...s,
  kind: 'status',
  expectStatus: [s.status],
  expectCode: s.variant as string,
});

const badInput = (id: string, what: string, body: BodySpec): SingleRequestScenario => ({
  id: `422-bad-input-${id}`,
  title: `bad input: ${what} is refused with 400 or 422 and a documented error shape`,
  status: 422,
  variant: 'validation_error',
  state: 'token_can_regenerate',
  kind: 'bad_input',
  auth: { kind: 'state-bearer' },
  body,
  expectStatus: [400, 422],
  expectCode: 'validation_error',
});

export const catalogue: readonly Scenario[] = [
  {
    id: '200-regenerates-secret',
    title: 'regenerates the secret: same token, fields unchanged, new non-empty secret',
    status: 200,
    variant: null,
    state: 'token_can_regenerate',
    kind: 'behaviour',
    flow: 'regenerate',
  },
  {
    id: '200-old-secret-rejected',
    title: 'after regeneration the old secret is rejected with 403 invalid_api_token',
    status: 200,
    variant: null,
    state: 'token_can_regenerate',
    kind: 'behaviour',
    flow: 'old-secret-rejected',
  },
  {
    id: '200-new-secret-authenticates',
    title: 'after regeneration the new secret authenticates',
    status: 200,
    variant: null,
    state: 'token_can_regenerate',
    kind: 'behaviour',
    flow: 'new-secret-authenticates',
  },
  {
    id: '200-second-regeneration',
    title: 'a second regeneration yields yet another secret',
    status: 200,
    variant: null,
    state: 'token_can_regenerate',
    kind: 'behaviour',
    flow: 'second-regeneration',
  },
  {
    id: '200-every-earlier-secret-refused',
    title: 'over three regenerations, after each one every earlier secret is refused with 403 invalid_api_token, the newest authenticates, the id and fields stay unchanged; the issued secrets are judged for strength',
    status: 200,
    variant: null,
    state: 'token_can_regenerate',
    kind: 'behaviour',
    flow: 'every-earlier-secret-refused',
  },
  {
    id: '200-new-secret-keeps-authenticating',
    title: 'the new secret keeps authenticating: three uses spread over more than a second',
    status: 200,
    variant: null,
    state: 'token_can_regenerate',
    kind: 'behaviour',
    flow: 'new-secret-keeps-authenticating',
  },
  {
    id: '200-racing-regenerations-one-winner',
    title: 'two regenerations of one token sent at once leave exactly one valid secret: the winner\'s',
    status: 200,
    variant: null,
    state: 'token_can_regenerate',
    kind: 'behaviour',
    flow: 'racing-regenerations',
  },
  errorScenario({
    id: '400-no-authorization',
    title: 'no Authorization header is refused with 400 missing_api_token',
    status: 400,
    variant: 'missing_api_token',
    state: null,
    auth: { kind: 'none' },
    body: someTokenBody,
  }),
  errorScenario({
    id: '400-non-bearer-scheme',
    title: 'a non-Bearer scheme (Basic) is refused with 400 missing_api_token',
    status: 400,
    variant: 'missing_api_token',
    state: null,
    auth: { kind: 'basic' },
    body: someTokenBody,
  }),
  errorScenario({
    id: '400-no-authorization-empty-body',
    title: 'authentication is judged before the body: no header and an empty body give 400 missing_api_token',
    status: 400,
    variant: 'missing_api_token',
    state: null,
    auth: { kind: 'none' },
    body: { kind: 'empty' },
  }),
  errorScenario({
    id: '403-invalid_api_token-unknown-bearer',
    title: 'an unknown bearer secret is refused with 403 invalid_api_token',
    status: 403,
    variant: 'invalid_api_token',
    state: null,
    auth: { kind: 'unknown-bearer' },
    body: someTokenBody,
  }),
  errorScenario({
    id: '403-invalid_api_token-expired',
    title: 'an expired token is refused with 403 invalid_api_token',
    status: 403,
    variant: 'invalid_api_token',
    state: 'token_expired',
    ...authenticated,
  }),
  errorScenario({
    id: '403-unauthorized_network_for_api_token',
    title: 'a caller outside the token\'s authorized networks gets 403 unauthorized_network_for_api_token with its IP address',
    status: 403,
    variant: 'unauthorized_network_for_api_token',
    state: 'network_not_authorized',
    ...authenticated,
    detailRules: ['ip_address_is_ip'],
  }),
  errorScenario({
    id: '403-invalid_capabilities_token',
    title: 'an invalid capabilities token is refused with 403 invalid_capabilities_token',
    status: 403,
    variant: 'invalid_capabilities_token',
    state: 'capabilities_token_invalid',
    ...authenticated,
  }),
  errorScenario({
    id: '403-scope_not_granted',
    title: 'a token without the api_tokens scope gets 403 scope_not_granted naming the scope',
    status: 403,
    variant: 'scope_not_granted',
    state: 'scope_not_granted',
    ...authenticated,
    detailRules: ['scopes_include_api_tokens'],
  }),
  errorScenario({
    id: '403-permission_denied',
    title: 'a token the caller may not manage is refused with 403 permission_denied',
    status: 403,
    variant: 'permission_denied',
    state: 'permission_denied',
    ...authenticated,
  }),
  errorScenario({
    id: '404-api_token_not_found',
    title: 'an id that does not exist gives 404 api_token_not_found',
    status: 404,
    variant: 'api_token_not_found',
    state: 'token_can_regenerate',
    auth: { kind: 'state-bearer' },
    body: { kind: 'unknown-id' },
  }),
  errorScenario({
    id: '422-validation_error',
    title: 'a token whose save fails validation gives 422 validation_error with its errors',
    status: 422,
    variant: 'validation_error',
    state: 'validation_fails',
    ...authenticated,
    detailRules: ['errors_nonempty_strings'],
  }),
  badInput('empty-object', 'body {}', { kind: 'json', value: {} }),
  badInput('empty-api-token', 'body {"api_token": {}}', { kind: 'json', value: { api_token: {} } }),
  badInput('string-api-token', 'body {"api_token": "x"}', { kind: 'json', value: { api_token: 'x' } }),
  badInput('numeric-id', 'body {"api_token": {"id": 5}}', { kind: 'json', value: { api_token: { id: 5 } } }),
  badInput('not-json', 'a body that is not JSON', { kind: 'raw', text: '{"api_token": {"id": ', contentType: 'application/json' }),
  badInput('no-body', 'no body at all', { kind: 'none' }),
  errorScenario({
    id: '429-rate_limit_reached',
    title: 'a token over its rate limit gets 429 rate_limit_reached with the permitted total',
    status: 429,
    variant: 'rate_limit_reached',
    state: 'rate_limit_reached',
    ...authenticated,
    detailRules: ['total_permitted_matches_state'],
  }),
  errorScenario({
    id: '503-service_unavailable',
    title: 'when the service is unavailable the answer is 503 service_unavailable',
    status: 503,
    variant: 'service_unavailable',
    state: 'service_unavailable',
    ...authenticated,
  }),
];

export function scenarioById(id: string): Scenario {
  const s = catalogue.find((c) => c.id === id);
  if (!s) throw new Error(`no scenario with id "${id}"`);
  return s;
}
