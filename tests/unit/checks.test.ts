import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkResponse, type CheckContext, type Expectation } from '../../src/checks/response.ts';
import { checkFieldsUnchanged, checkNewSecret, checkTokenId } from '../../src/checks/behaviour.ts';
import type { Exchange } from '../../src/engine/exchange.ts';
import { SecretRegistry } from '../../src/model/redact.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { loadSchemas } from '../../src/operations/run-schemas.ts';
const OPERATION_ID = regenerateSecret.id;

const schemas = loadSchemas();
const ctx = (over: Partial<CheckContext> = {}): CheckContext => ({ operationId: OPERATION_ID, detailRules: regenerateSecret.detailRules, schemas, envelope: 'flat', secrets: new SecretRegistry(), ...over });

function exchange(status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }): Exchange {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let json: unknown;
  let jsonError: string | undefined;
  try {
    json = JSON.parse(text);
  } catch (e) {
    jsonError = (e as Error).message;
  }
  return { label: 'request', method: 'POST', url: 'http://t/x', requestHeaders: {}, response: { status, headers, text, json, jsonError }, durationMs: 1 };
}

const errorsOnly = <T extends { severity: string }>(fs: T[]) => fs.filter((f) => f.severity === 'error');
const checksOf = (v: { findings: { check: string; severity: string }[] }, severity = 'error') => v.findings.filter((f) => f.severity === severity).map((f) => f.check);
const expect403 = (code: string): Expectation => ({ statuses: [403], code });
const err = (code: string, detail: unknown = {}) => ({ code, description: 'd', detail });

test('a documented error with the expected code passes every check', () => {
  assert.deepEqual(checksOf(checkResponse(exchange(403, err('invalid_api_token', { details: null })), expect403('invalid_api_token'), ctx())), []);
});

test('an undocumented status reads "Received / Documented"', () => {
  const v = checkResponse(exchange(418, err('teapot')), expect403('invalid_api_token'), ctx());
  const f = v.findings.find((x) => x.check === 'status_documented')!;
  assert.match(f.message, /^Received: 418 \/ Documented: 200, 400, 403, 404, 422, 429, 503$/);
  assert.ok(checksOf(v).includes('status_expected'));
});

test('a wrong 403 variant fails on the code and names the documented codes', () => {
  const v = checkResponse(exchange(403, err('permission_denied', { details: 'no' })), expect403('scope_not_granted'), ctx());
  const f = v.findings.find((x) => x.check === 'error_code')!;
  assert.equal(f.expected, 'scope_not_granted');
  assert.equal(f.actual, 'permission_denied');
  assert.match(f.message, /documented for 403: .*unauthorized_network_for_api_token/);
});

test('a schema violation inside a variant is reported with the variant and path', () => {
  const v = checkResponse(exchange(403, err('unauthorized_network_for_api_token', { ip_address: 5 })), expect403('unauthorized_network_for_api_token'), ctx());
  const f = v.findings.find((x) => x.check === 'schema')!;
  assert.ok(f, 'schema finding expected');
  assert.equal(f.instancePath, '/detail/ip_address');
  assert.match(f.message + (f.schemaPath ?? ''), /UnauthorizedNetworkForAPIToken/);
});

test('text/plain, non-JSON bodies and wrong detail fail their own checks', () => {
  assert.ok(checksOf(checkResponse(exchange(404, err('api_token_not_found'), { 'content-type': 'text/plain' }), { statuses: [404], code: 'api_token_not_found' }, ctx())).includes('content_type'));
  assert.deepEqual(checksOf(checkResponse(exchange(404, '<html>nope</html>'), { statuses: [404], code: 'api_token_not_found' }, ctx())), ['json_body']);
  assert.ok(checksOf(checkResponse(exchange(404, { code: 'api_token_not_found', description: 'd', detail: null }), { statuses: [404], code: 'api_token_not_found' }, ctx())).includes('schema'));
});

test('a flat run meeting a wrapped error fails with a message naming ERROR_ENVELOPE', () => {
  const v = checkResponse(exchange(404, { error: err('api_token_not_found') }), { statuses: [404], code: 'api_token_not_found' }, ctx());
  const f = v.findings.find((x) => x.check === 'error_envelope')!;
  assert.match(f.message, /ERROR_ENVELOPE=wrapped/);
});

test('a wrapped run validates the inner error and warns when x-api-schema is missing', () => {
  const ok = checkResponse(exchange(404, { error: err('api_token_not_found') }, { 'content-type': 'application/json', 'x-api-schema': 'json-error' }), { statuses: [404], code: 'api_token_not_found' }, ctx({ envelope: 'wrapped' }));
  assert.deepEqual(ok.findings, []);
  const noHeader = checkResponse(exchange(404, { error: err('api_token_not_found') }), { statuses: [404], code: 'api_token_not_found' }, ctx({ envelope: 'wrapped' }));
  assert.deepEqual(checksOf(noHeader), []);
  assert.deepEqual(checksOf(noHeader, 'warning'), ['error_envelope_header']);
  const flat = checkResponse(exchange(404, err('api_token_not_found')), { statuses: [404], code: 'api_token_not_found' }, ctx({ envelope: 'wrapped' }));
  assert.match(flat.findings[0].message, /ERROR_ENVELOPE=flat/);
});

test('bad input refused with an undocumented code passes with a warning naming status and code', () => {
  const exp: Expectation = { statuses: [400, 422], code: 'validation_error', otherCodesWarn: true };
  const v = checkResponse(exchange(400, err('invalid_argument', { argument: 'api_token' })), exp, ctx());
  assert.deepEqual(checksOf(v), []);
  const w = v.findings.find((x) => x.check === 'error_code')!;
  assert.equal(w.severity, 'warning');
  assert.match(w.message, /400 invalid_argument/);
  assert.ok(checksOf(checkResponse(exchange(400, { code: 'invalid_argument' }), exp, ctx())).includes('error_shape'));
  assert.ok(checksOf(checkResponse(exchange(500, err('boom')), exp, ctx())).includes('status_expected'));
  assert.ok(checksOf(checkResponse(exchange(200, { api_token: { id: 'x' } }), exp, ctx())).includes('status_expected'));
});

test('an error body that echoes a held secret fails without printing it', () => {
  const secrets = new SecretRegistry();
  secrets.add('s3cr3t-value-123');
  const v = checkResponse(exchange(403, err('invalid_api_token', { details: 'token s3cr3t-value-123 expired' })), expect403('invalid_api_token'), ctx({ secrets }));
  const f = v.findings.find((x) => x.check === 'no_secret_in_error')!;
  assert.ok(f);
  assert.ok(!JSON.stringify(v.findings).includes('s3cr3t-value-123'));
});

test('detail rules: ip address, scopes, errors, total_permitted', () => {
  const run = (status: number, body: unknown, exp: Expectation) => checksOf(checkResponse(exchange(status, body), exp, ctx()));
  const net = { statuses: [403], code: 'unauthorized_network_for_api_token', detailRules: ['ip_address_is_ip'] } as Expectation;
  assert.deepEqual(run(403, err('unauthorized_network_for_api_token', { ip_address: '127.0.0.1' }), net), []);
  assert.deepEqual(run(403, err('unauthorized_network_for_api_token', { ip_address: 'somewhere' }), net), ['detail_ip_address']);
  const scope = { statuses: [403], code: 'scope_not_granted', detailRules: ['scopes_include_api_tokens'] } as Expectation;
  assert.deepEqual(run(403, err('scope_not_granted', { scopes: ['api.katapult.io/core/v1/api_tokens'] }), scope), []);
  assert.deepEqual(run(403, err('scope_not_granted', { scopes: ['dns'] }), scope), ['detail_scopes']);
  const val = { statuses: [422], code: 'validation_error', detailRules: ['errors_nonempty_strings'] } as Expectation;
  assert.deepEqual(run(422, err('validation_error', { errors: [] }), val), ['detail_errors']);
  const rl = { statuses: [429], code: 'rate_limit_reached', detailRules: ['total_permitted_matches_state'], state: { total_permitted: 60 } } as Expectation;
  assert.deepEqual(run(429, err('rate_limit_reached', { total_permitted: 60 }), rl), []);
  assert.deepEqual(run(429, err('rate_limit_reached', { total_permitted: 61 }), rl), ['detail_total_permitted']);
});

test('follow-up calls: forbidden answers fail, others pass', () => {
  const exp: Expectation = { statuses: [], forbidden: [{ status: 403, code: 'invalid_api_token' }] };
  assert.deepEqual(checksOf(checkResponse(exchange(404, err('api_token_not_found')), exp, ctx())), []);
  assert.deepEqual(checksOf(checkResponse(exchange(403, err('invalid_api_token', {})), exp, ctx())), ['status_forbidden']);
});

test('undocumented fields are warnings, never failures', () => {
  const v = checkResponse(exchange(200, { api_token: { id: 'a', secret: 'abcdefgh', created_at: 1 }, extra: true }), { statuses: [200] }, ctx());
  assert.deepEqual(checksOf(v), []);
  assert.equal(checksOf(v, 'warning').filter((c) => c === 'undocumented_fields').length, 2);
});

test('behaviour: id, unchanged fields and a fresh secret', () => {
  const stored = { id: 't1', name: 'n', organization_id: 'o', scopes: ['api_tokens'], authorized_ip_addresses: [], expires_at: null, rate_limit: 60 };
  const good = { api_token: { ...stored, secret: 'new-secret-1' } };
  assert.deepEqual(checkTokenId(good, 't1', 'r'), []);
  assert.deepEqual(checkFieldsUnchanged(good, stored, 'r'), []);
  assert.deepEqual(checkNewSecret(good, [{ label: 'old', secret: 'old-secret' }], 'r'), []);
  assert.equal(checkTokenId({ api_token: { ...good.api_token, id: 't2' } }, 't1', 'r').length, 1);
  const changed = checkFieldsUnchanged({ api_token: { ...good.api_token, name: 'other', scopes: ['x'] } }, stored, 'r');
  assert.deepEqual(changed.map((f) => f.instancePath), ['/api_token/name', '/api_token/scopes']);
  assert.equal(checkFieldsUnchanged({ api_token: { id: 't1', secret: 's' } }, stored, 'r').length, 5, 'every stored field but the null expires_at is missing');
  assert.equal(checkNewSecret({ api_token: { secret: '' } }, [], 'r').length, 1);
  assert.equal(checkNewSecret({ api_token: {} }, [], 'r').length, 1);
  const same = checkNewSecret({ api_token: { secret: 'old-secret' } }, [{ label: 'the old secret', secret: 'old-secret' }], 'r');
  assert.equal(same.length, 1);
  assert.ok(!same[0].message.includes('old-secret'));
});

test('bad input refused with the documented 422 validation_error is validated against its full schema', () => {
  const exp: Expectation = { statuses: [400, 422], code: 'validation_error', otherCodesWarn: true };
  const wrongDetail = checkResponse(exchange(422, err('validation_error', { errors: 'not-an-array' })), exp, ctx());
  assert.ok(checksOf(wrongDetail).includes('schema'), JSON.stringify(wrongDetail.findings));
  assert.deepEqual(checksOf(checkResponse(exchange(422, err('validation_error', { errors: ['api_token is required'] })), exp, ctx())), []);
});

test('behaviour: scopes and authorized addresses are sets, their order may change; their content may not', () => {
  const stored = { id: 't1', scopes: ['api_tokens', 'dns'], authorized_ip_addresses: ['192.0.2.0/24', '::1'] };
  assert.deepEqual(errorsOnly(checkFieldsUnchanged({ api_token: { id: 't1', scopes: ['dns', 'api_tokens'], authorized_ip_addresses: ['::1', '192.0.2.0/24'] } }, stored, 'r')), []);
  assert.equal(errorsOnly(checkFieldsUnchanged({ api_token: { id: 't1', scopes: ['dns', 'dns'], authorized_ip_addresses: ['::1', '192.0.2.0/24'] } }, stored, 'r')).length, 1);
  assert.equal(errorsOnly(checkFieldsUnchanged({ api_token: { id: 't1', scopes: ['api_tokens', 'dns'], authorized_ip_addresses: ['::1'] } }, stored, 'r')).length, 1);
});

test('behaviour: a field stored as null may be left out of the answer; a field with a value may not', () => {
  const stored = { id: 't1', organization_id: null, expires_at: null, rate_limit: 60 };
  assert.deepEqual(errorsOnly(checkFieldsUnchanged({ api_token: { id: 't1', rate_limit: 60 } }, stored, 'r')), []);
  const missing = errorsOnly(checkFieldsUnchanged({ api_token: { id: 't1' } }, stored, 'r'));
  assert.equal(missing.length, 1);
  assert.equal(missing[0].actual, 'absent');
});

test('bad input: 400 validation_error is accepted with a warning; only 422 validation_error passes outright', () => {
  const exp: Expectation = { statuses: [400, 422], code: 'validation_error', otherCodesWarn: true, preferredStatus: 422 };
  const v = checkResponse(exchange(400, err('validation_error', { errors: ['x'] })), exp, ctx());
  assert.deepEqual(checksOf(v), []);
  assert.match(v.findings.find((f) => f.check === 'error_code')!.message, /refused with 400 validation_error, not the 422 validation_error/);
  assert.deepEqual(checkResponse(exchange(422, err('validation_error', { errors: ['x'] })), exp, ctx()).findings, []);
});

test('the secret check judges only the contract\'s credentials, and finds them JSON-escaped too', () => {
  const secrets = new SecretRegistry();
  secrets.add('invalid', 'mask-only');
  secrets.add('requested-token-id-1234', 'mask-only');
  secrets.add('abc/def+ghi=jkl');
  const exp = expect403('invalid_capabilities_token');
  // A state header value that is an ordinary word, or an echoed id: not a leak.
  assert.deepEqual(checksOf(checkResponse(exchange(403, err('invalid_capabilities_token', { token: 'requested-token-id-1234' })), exp, ctx({ secrets }))), []);
  // A credential written with JSON escapes (\/ for /) is still found.
  const escaped = '{"code":"invalid_capabilities_token","description":"d","detail":{"details":"abc\\/def+ghi=jkl"}}';
  assert.deepEqual(checksOf(checkResponse(exchange(403, escaped), exp, ctx({ secrets }))), ['no_secret_in_error']);
});

test('behaviour: a field the state did not send cannot be compared, and the report says so', () => {
  const findings = checkFieldsUnchanged({ api_token: { id: 't1', name: 'changed' } }, { id: 't1' }, 'r');
  assert.deepEqual(errorsOnly(findings), []);
  assert.equal(findings.filter((f) => f.severity === 'warning').length, 6);
  assert.match(findings[0].message, /state's api_token has no name/);
});
