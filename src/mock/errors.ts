/**
 * Every error the reference mock can answer, as a named constant or builder,
 * and the ONE function that turns an error into a response (status, headers,
 * body text) for a given envelope. Descriptions of the operation's errors are
 * the documentation page's own words.
 *
 * Secrets never go into these bodies; the only exception is the deliberate
 * `error-leaks-secret` fault, built at its call site in server.ts.
 */

export interface ErrorBody {
  code: string;
  /** Absent only under the `error-missing-description` fault (removed at render time). */
  description: string;
  /** Always an object, except under the `error-detail-null` fault. */
  detail: Record<string, unknown> | null;
}

export interface MockError {
  readonly status: number;
  readonly body: ErrorBody;
  /** Ask the client to close the connection after this answer (body left unread). */
  readonly closeConnection?: boolean;
  /** Extra response headers (only the `secret-in-403-header` fault sets any). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Descriptions, verbatim from the documentation page where it gives one. */
export const DESCRIPTIONS = Object.freeze({
  missing_api_token:
    'No API token was provided in the Authorization header. Ensure a token is provided prefixed with Bearer',
  unauthorized_network_for_api_token: 'Network is not allowed to access the API with this API token',
  invalid_api_token: 'The API token provided was not valid (it may not exist or have expired)',
  invalid_capabilities_token:
    'The capabilities token provided was not valid (either not valid, expired or not signed by the correct key)',
  scope_not_granted: 'The scope required for this endpoint has not been granted to the authenticating identity',
  permission_denied: 'The authenticated identity is not permitted to perform this action',
  api_token_not_found: 'No API token was found matching any of the criteria provided in the arguments.',
  validation_error: 'A validation error occurred with the object that was being created/updated/deleted',
  rate_limit_reached: 'You have reached the rate limit for this type of request',
  service_unavailable: 'The service is currently unavailable, please try again later',
  // Not part of the operation; the mock's own answers.
  route_not_found: 'No route matches the requested path',
  method_not_allowed: 'The requested path does not accept this HTTP method',
  bad_request: 'The request could not be parsed as HTTP',
  internal_server_error: 'An unexpected error occurred in the reference mock',
  invalid_state_request: 'The provider-state request is not valid',
  // The vendor's live framework (live personality): its own bad-input codes,
  // and the token-management operations' organization lookup.
  invalid_argument: 'An argument provided was not valid',
  missing_required_argument: 'A required argument was not provided',
  invalid_json_body: 'The JSON body provided with this request could not be parsed',
  organization_not_found: 'No organization was found matching any of the criteria provided in the arguments',
});

export type ErrorCode = keyof typeof DESCRIPTIONS;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Builds an error answer (builders: per request). */
export function mockError(
  status: number,
  code: ErrorCode,
  detail: Record<string, unknown> | null = {},
  description: string = DESCRIPTIONS[code],
): MockError {
  return { status, body: { code, description, detail } };
}

/** A constant error: frozen, so the renderer may cache its rendering. */
const constant = (error: MockError): MockError => deepFreeze(error);

// ---------------------------------------------------------------- 400
export const MISSING_API_TOKEN = constant(mockError(400, 'missing_api_token', {}));

// ---------------------------------------------------------------- 403
/** Unknown bearer: `details` is null, never the secret. */
export const INVALID_API_TOKEN = constant(mockError(403, 'invalid_api_token', { details: null }));
/** Expired bearer: says why, never which secret. */
export const EXPIRED_API_TOKEN = constant(mockError(403, 'invalid_api_token', { details: 'The API token has expired' }));
export const invalidApiToken = (details: string | null): MockError => mockError(403, 'invalid_api_token', { details });

export const unauthorizedNetwork = (ipAddress: string): MockError =>
  mockError(403, 'unauthorized_network_for_api_token', { ip_address: ipAddress });
/** Fault `network-detail-no-ip`. */
export const UNAUTHORIZED_NETWORK_WITHOUT_IP = constant(mockError(403, 'unauthorized_network_for_api_token', {}));

export const INVALID_CAPABILITIES_TOKEN = constant(mockError(403, 'invalid_capabilities_token', {}));

export const REQUIRED_SCOPE = 'api_tokens';
export const SCOPE_NOT_GRANTED = constant(mockError(403, 'scope_not_granted', { scopes: [REQUIRED_SCOPE] }));
export const scopeNotGranted = (scopes: readonly string[]): MockError =>
  mockError(403, 'scope_not_granted', { scopes: [...scopes] });

export const permissionDenied = (details: string): MockError => mockError(403, 'permission_denied', { details });
export const PERMISSION_DENIED_OTHER_ORGANIZATION = constant(
  permissionDenied('This API token belongs to another organization; the authenticated identity may not manage it'),
);
/** Fault `unknown-bearer-wrong-code`. */
export const PERMISSION_DENIED_UNKNOWN_BEARER = constant(permissionDenied('The API token is not permitted to perform this action'));

// ---------------------------------------------------------------- 404
export const API_TOKEN_NOT_FOUND = constant(mockError(404, 'api_token_not_found', {}));
/** Fault `error-detail-null`. */
export const API_TOKEN_NOT_FOUND_NULL_DETAIL = constant(mockError(404, 'api_token_not_found', null));

// ---------------------------------------------------------------- 422
export const validationError = (errors: readonly string[]): MockError =>
  mockError(422, 'validation_error', { errors: [...errors] });

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Bad input of the operation (documented personality): all 422 validation_error. */
export const BAD_INPUT = Object.freeze({
  noBody: constant(validationError(['A request body is required: send {"api_token": {"id": "<token id>"}}'])),
  notJson: constant(validationError(['The request body is not valid JSON'])),
  notObject: constant(validationError(['The request body must be a JSON object: {"api_token": {"id": "<token id>"}}'])),
  tokenMissing: constant(validationError(['api_token is required'])),
  tokenNotObject: constant(validationError(['api_token must be an object: {"id": "<token id>"}'])),
  idMissing: constant(validationError(['api_token.id is required'])),
  idNotString: constant(validationError(['api_token.id must be a string'])),
  tooLarge: constant({
    ...validationError([`The request body exceeds the ${BODY_LIMIT_BYTES}-byte limit`]),
    closeConnection: true,
  }),
});

/** The target token's save fails (state `validation_fails`). */
export const SAVE_VALIDATION_ERROR = constant(validationError(['Secret could not be saved: name is invalid']));
/** Fault `validation-errors-empty`. */
export const SAVE_VALIDATION_ERROR_EMPTY = constant(validationError([]));

// ---------------------------------------------------------------- live framework (400)
/** The live framework's refusals of bad input (live personality); never part of the documented operation. */
export const invalidArgument = (argument: string, issue: string): MockError =>
  mockError(400, 'invalid_argument', { argument, issue }, `Invalid value for argument '${argument}': ${issue}`);
export const missingRequiredArgument = (argument: string): MockError =>
  mockError(400, 'missing_required_argument', { argument }, `The '${argument}' argument is required but was not provided`);
export const invalidJsonBody = (details: string): MockError => mockError(400, 'invalid_json_body', { details });

export const FRAMEWORK_BAD_INPUT = Object.freeze({
  noBody: constant(missingRequiredArgument('api_token')),
  notJson: constant(invalidJsonBody('The request body is not valid JSON')),
  notObject: constant(invalidJsonBody('The request body must be a JSON object')),
  tokenMissing: constant(missingRequiredArgument('api_token')),
  tokenNotObject: constant(invalidArgument('api_token', 'must be an object (a lookup: {"id": "<token id>"})')),
  idMissing: constant(missingRequiredArgument('api_token.id')),
  idNotString: constant(invalidArgument('api_token.id', 'must be a string')),
});

export const ORGANIZATION_NOT_FOUND = constant(mockError(404, 'organization_not_found', {}));

// ---------------------------------------------------------------- 429, 503
export const rateLimitReached = (totalPermitted: number): MockError =>
  mockError(429, 'rate_limit_reached', { total_permitted: totalPermitted });

export const SERVICE_UNAVAILABLE = constant(mockError(503, 'service_unavailable', {}));

// ---------------------------------------------------------------- mock's own
export const routeNotFound = (method: string, path: string): MockError =>
  mockError(404, 'route_not_found', { method: method.slice(0, 20), path: path.slice(0, 200) });
export const methodNotAllowed = (method: string, allowed: readonly string[]): MockError =>
  mockError(405, 'method_not_allowed', { method: method.slice(0, 20), allowed: [...allowed] });
/** A genuine bug, or a fault that answers 500 on purpose. */
export const INTERNAL_SERVER_ERROR = constant(mockError(500, 'internal_server_error', {}));

// ---------------------------------------------------------------- rendering

export type ErrorEnvelope = 'flat' | 'wrapped';

export interface ErrorRendering {
  /** `flat` {code, description, detail} as documented; `wrapped` {"error": {...}} + x-api-schema: json-error. */
  envelope: ErrorEnvelope;
  /** Content-Type of error responses. */
  contentType: string;
  /** Drop `description` from every body (fault `error-missing-description`). */
  omitDescription: boolean;
  /** Declare and encode bodies as Latin-1, with a non-ASCII description (fault `error-latin1`). */
  latin1?: boolean;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export const DOCUMENTED_RENDERING: ErrorRendering = Object.freeze({
  envelope: 'flat',
  contentType: JSON_CONTENT_TYPE,
  omitDescription: false,
});

export interface RenderedResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** What the `error-latin1` fault appends to descriptions: a character whose Latin-1 byte is not UTF-8. */
const LATIN1_SUFFIX = ' (r\u00e9essayez)';
const LATIN1_CONTENT_TYPE = 'application/json; charset=iso-8859-1';

/** The one function that turns an error into status + headers + body text. */
export function renderError(error: MockError, rendering: ErrorRendering): RenderedResponse {
  const description = rendering.latin1 ? `${error.body.description}${LATIN1_SUFFIX}` : error.body.description;
  const inner: Partial<ErrorBody> = rendering.omitDescription
    ? { code: error.body.code, detail: error.body.detail }
    : { code: error.body.code, description, detail: error.body.detail };
  const headers: Record<string, string> = { ...error.headers, 'content-type': rendering.latin1 ? LATIN1_CONTENT_TYPE : rendering.contentType };
  let text: string;
  if (rendering.envelope === 'wrapped') {
    headers['x-api-schema'] = 'json-error';
    text = JSON.stringify({ error: inner });
  } else {
    text = JSON.stringify(inner);
  }
  const body = rendering.latin1 ? Buffer.from(text, 'latin1') : text;
  headers['content-length'] = String(Buffer.byteLength(body));
  if (error.closeConnection) headers.connection = 'close';
  return { status: error.status, headers, body };
}

/** renderError with a cache for the frozen constants (the common, hot errors). */
export function createErrorRenderer(rendering: ErrorRendering): (error: MockError) => RenderedResponse {
  const cache = new WeakMap<MockError, RenderedResponse>();
  return (error) => {
    if (!Object.isFrozen(error)) return renderError(error, rendering);
    let rendered = cache.get(error);
    if (rendered === undefined) {
      rendered = renderError(error, rendering);
      cache.set(error, rendered);
    }
    return rendered;
  };
}

/** Errors of the provider-state endpoint (not the operation; never affected by faults). */
export const stateRequestError = (problem: string, detail: Record<string, unknown> = {}): MockError =>
  mockError(400, 'invalid_state_request', detail, `The provider-state request is not valid: ${problem}`);
