/**
 * Named faults of the reference mock. Each one breaks exactly ONE documented
 * behaviour of the operation (or of the provider-state protocol) and leaves
 * everything else intact, so that a proof test can show the suite catching it.
 *
 * `status` is the documented status whose scenario(s) must report the fault
 * (null: it shows across scenarios, e.g. every error response). `outcome` is
 * what the suite is expected to make of it: a conformance `failure`, only a
 * `warning`, or scenarios `not_arranged` (state endpoint faults).
 */
export type FaultOutcome = 'failure' | 'warning' | 'not_arranged';

export interface FaultInfo {
  /** One line: what the faulty mock does instead of the documented behaviour. */
  readonly description: string;
  /** Documented status of the scenario that must catch it; null = cross-cutting. */
  readonly status: number | null;
  readonly outcome: FaultOutcome;
}

const fault = (status: number | null, description: string, outcome: FaultOutcome = 'failure'): FaultInfo =>
  Object.freeze({ description, status, outcome });

const FAULT_TABLE = {
  // 200: regeneration semantics
  'secret-not-renewed': fault(200, '200 answers the current secret unchanged; nothing is rotated, the old secret stays valid'),
  'secret-empty': fault(200, '200 answers "secret": "" (the stored secret is rotated, but the new one is never handed out)'),
  'token-id-mismatch': fault(200, '200 answers an api_token.id other than the requested one'),
  'token-field-changed': fault(200, 'regeneration also changes the token\'s name (stored and answered)'),
  'old-secret-still-valid': fault(200, 'after regeneration the old secret keeps authenticating'),
  'new-secret-not-stored': fault(200, 'the secret answered by 200 is never accepted afterwards'),
  'repeat-secret': fault(200, 'every regeneration of a token after the first answers the same secret as the first'),
  'older-secret-revived': fault(200, 'from the third regeneration of a token on, the secret it had three regenerations earlier authenticates again'),
  'new-secret-works-once': fault(200, 'a secret answered by a regeneration authenticates once, then never again'),
  'race-both-valid': fault(200, 'two regenerations of one token at the same moment (each takes 500 ms) both succeed and every secret involved stays valid'),
  'weak-secrets': fault(200, 'every secret is short and sequential (sk_0000000001, sk_0000000002, ...): a warning, a failure with SECRET_STRENGTH=fail', 'warning'),
  'undocumented-field': fault(200, '200 api_token carries an extra, undocumented field created_at (a warning, not a failure)', 'warning'),
  // 400: authentication header
  'missing-auth-403': fault(400, 'no Authorization header is answered 403 invalid_api_token instead of 400 missing_api_token'),
  'basic-scheme-accepted': fault(400, 'a non-Bearer scheme (Basic ...) is judged as a bearer: 403 invalid_api_token instead of 400'),
  'body-before-auth': fault(400, 'the body is judged before authentication: an invalid or empty body gets 422 even without Authorization'),
  // 403 variants
  'unknown-bearer-wrong-code': fault(403, 'an unknown bearer is answered 403 permission_denied instead of invalid_api_token'),
  'expired-token-accepted': fault(403, 'an expired token still authenticates'),
  'network-ignored': fault(403, 'authorized_ip_addresses is ignored: a caller outside them is served'),
  'network-detail-no-ip': fault(403, '403 unauthorized_network_for_api_token without detail.ip_address'),
  'capabilities-ignored': fault(403, 'an invalid X-Capabilities-Token header is ignored'),
  'scope-ignored': fault(403, 'a token without the api_tokens scope may regenerate secrets'),
  'scope-detail-wrong': fault(403, '403 scope_not_granted lists the caller\'s scopes in detail.scopes, not the required api_tokens'),
  'permission-ignored': fault(403, 'a token of another organization can be regenerated (no permission_denied)'),
  'error-leaks-secret': fault(403, 'the expired-token 403 detail.details contains the bearer secret'),
  'secret-in-403-header': fault(403, 'the expired-token 403 echoes the presented secret, base64-encoded, in its WWW-Authenticate header'),
  // 404
  'not-found-500': fault(404, 'an unknown token id is answered 500 (JSON body) instead of 404 api_token_not_found'),
  'error-detail-null': fault(404, '404 api_token_not_found answers "detail": null instead of an object'),
  // 422
  'validation-errors-empty': fault(422, '422 validation_error of a failing save answers "errors": []'),
  'validation-ignored': fault(422, 'the token flagged to fail validation regenerates fine (200)'),
  'bad-input-empty-object-404': fault(422, 'body {} is answered 404 api_token_not_found'),
  'bad-input-empty-token-404': fault(422, 'body {"api_token": {}} is answered 404 api_token_not_found'),
  'bad-input-string-token-500': fault(422, 'body {"api_token": "x"} is answered 500'),
  'bad-input-numeric-id-coerced': fault(422, 'body {"api_token": {"id": 5}} is coerced to id "5" (404 api_token_not_found)'),
  'bad-input-not-json-500': fault(422, 'a body that is not JSON is answered 500'),
  'bad-input-no-body-500': fault(422, 'a request without a body is answered 500'),
  // 429, 503
  'rate-limit-ignored': fault(429, 'the token flagged over its rate limit is served'),
  'rate-limit-total-wrong': fault(429, '429 detail.total_permitted is the token\'s rate_limit + 1'),
  'unavailable-500': fault(503, 'the service-unavailable state answers 500 instead of 503'),
  // every error response
  'error-text-content-type': fault(null, 'error responses are sent as text/plain (same JSON text)'),
  'error-missing-description': fault(null, 'error bodies carry no description'),
  'error-latin1': fault(null, 'error bodies are declared (charset=iso-8859-1) and encoded as Latin-1, with a non-ASCII description'),
  'wrapped-errors': fault(null, 'error bodies are wrapped as {"error": {...}} with header x-api-schema: json-error (the live framework\'s envelope)'),
  // provider-state protocol
  'state-endpoint-500': fault(null, 'provider-state setup answers 500 (nothing is arranged)', 'not_arranged'),
  'state-missing-bearer': fault(null, 'provider-state setup answers without bearer', 'not_arranged'),
} satisfies Record<string, FaultInfo>;

export type FaultName = keyof typeof FAULT_TABLE;

export const FAULTS: Readonly<Record<FaultName, FaultInfo>> = Object.freeze(FAULT_TABLE);

export const FAULT_NAMES: readonly FaultName[] = Object.freeze(Object.keys(FAULT_TABLE) as FaultName[]);

export function isFaultName(name: string): name is FaultName {
  return Object.prototype.hasOwnProperty.call(FAULT_TABLE, name);
}

export class UnknownFaultError extends Error {
  constructor(readonly names: string[]) {
    super(`unknown fault${names.length > 1 ? 's' : ''} ${names.map((n) => JSON.stringify(n)).join(', ')}; known faults: ${FAULT_NAMES.join(', ')}`);
    this.name = 'UnknownFaultError';
  }
}

/** Validates fault names (e.g. from a command line); throws UnknownFaultError naming every unknown one. */
export function parseFaults(names: readonly string[]): FaultName[] {
  const unknown = names.filter((n) => !isFaultName(n));
  if (unknown.length > 0) throw new UnknownFaultError(unknown);
  return [...new Set(names as FaultName[])];
}

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/**
 * The faults as booleans (`'missing-auth-403'` -> `missingAuth403`), computed
 * once per mock so the hot path reads a field instead of hashing a name.
 */
export type FaultFlags = { readonly [K in FaultName as Camel<K>]: boolean };

const camel = (name: string): string => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function faultFlags(faults: Iterable<FaultName>): Readonly<FaultFlags> {
  const flags = {} as Record<string, boolean>;
  for (const name of FAULT_NAMES) flags[camel(name)] = false;
  for (const name of faults) flags[camel(name)] = true;
  return Object.freeze(flags as unknown as FaultFlags);
}
