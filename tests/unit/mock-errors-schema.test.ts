/**
 * The mock's error bodies are named constants; each one the documented
 * personality sends must satisfy the derived schema of its status, and the
 * ones that exist only for faults must not (else the fault would prove nothing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as errors from '../../src/mock/errors.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { loadSchemas } from '../../src/operations/run-schemas.ts';
const OPERATION_ID = regenerateSecret.id;

const schemas = loadSchemas();
const documented: [string, errors.MockError][] = [
  ['MISSING_API_TOKEN', errors.MISSING_API_TOKEN],
  ['INVALID_API_TOKEN', errors.INVALID_API_TOKEN],
  ['EXPIRED_API_TOKEN', errors.EXPIRED_API_TOKEN],
  ['unauthorizedNetwork', errors.unauthorizedNetwork('192.0.2.7')],
  ['INVALID_CAPABILITIES_TOKEN', errors.INVALID_CAPABILITIES_TOKEN],
  ['SCOPE_NOT_GRANTED', errors.SCOPE_NOT_GRANTED],
  ['PERMISSION_DENIED_OTHER_ORGANIZATION', errors.PERMISSION_DENIED_OTHER_ORGANIZATION],
  ['API_TOKEN_NOT_FOUND', errors.API_TOKEN_NOT_FOUND],
  ['SAVE_VALIDATION_ERROR', errors.SAVE_VALIDATION_ERROR],
  ['rateLimitReached', errors.rateLimitReached(60)],
  ['SERVICE_UNAVAILABLE', errors.SERVICE_UNAVAILABLE],
  ...Object.entries(errors.BAD_INPUT).map(([k, v]) => [`BAD_INPUT.${k}`, v] as [string, errors.MockError]),
];

for (const [name, e] of documented) {
  test(`${name} (${e.status} ${e.body.code}) satisfies the derived schema of ${e.status}`, () => {
    assert.ok(schemas.documentedStatuses(OPERATION_ID).includes(e.status), `${e.status} is not documented`);
    assert.deepEqual(schemas.validate(OPERATION_ID, e.status, e.body), []);
    assert.deepEqual(schemas.undocumentedFields(OPERATION_ID, e.status, e.body), []);
  });
}

test('the fault-only bodies break the schema they are meant to break', () => {
  assert.notDeepEqual(schemas.validate(OPERATION_ID, 404, errors.API_TOKEN_NOT_FOUND_NULL_DETAIL.body), []);
  const withoutDescription = { code: 'api_token_not_found', detail: {} };
  assert.notDeepEqual(schemas.validate(OPERATION_ID, 404, withoutDescription), []);
});
