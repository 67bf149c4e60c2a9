/**
 * The ResponseValidator against the committed schemas/ (strict profile), with
 * the documentation page's own example bodies and the failures a QA engineer
 * must be able to act on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { OpenAPIV3 } from 'openapi-types';
import { DEFAULT_SPECS_DIR } from '../../src/schema/manifest.ts';
import { deriveDocument } from '../../src/schema/derive.ts';
import { ajv } from '../../src/schema/ajv.ts';
import { ajvErrorsToFindings } from '../../src/schema/ajv-findings.ts';
import { loadSchemaSet, schemaSetFromOperations } from '../../src/schema/schema-set.ts';
import { ResponseValidator } from '../../src/schema/validator.ts';

const OP = 'post:api_token_regenerate_secret';
const validator = new ResponseValidator(loadSchemaSet());

const CODES_403 = ['unauthorized_network_for_api_token', 'invalid_api_token', 'invalid_capabilities_token', 'scope_not_granted', 'permission_denied'];

/** The "Example (from schema)" bodies of the documentation page, verbatim. */
const PAGE_EXAMPLES: Record<number, unknown> = {
  200: {
    api_token: {
      id: 'string',
      name: 'string',
      organization_id: 'string',
      authorized_ip_addresses: ['string'],
      expires_at: 0,
      rate_limit: 0,
      scopes: ['string'],
      secret: 'string',
    },
  },
  400: { code: 'missing_api_token', description: 'string', detail: {} },
  404: { code: 'api_token_not_found', description: 'string', detail: {} },
  422: { code: 'validation_error', description: 'string', detail: { errors: ['string'] } },
  429: { code: 'rate_limit_reached', description: 'string', detail: { total_permitted: 0 } },
  503: { code: 'service_unavailable', description: 'string', detail: {} },
};
/**
 * The page's 403 example is a bare `{}` (its generator gives up on the oneOf),
 * so the 403 bodies are built from what the page lists for each variant: the
 * code and the detail fields.
 */
const PAGE_403_VARIANTS = [
  { code: 'unauthorized_network_for_api_token', description: 'string', detail: { ip_address: 'string' } },
  { code: 'invalid_api_token', description: 'string', detail: { details: 'string' } },
  { code: 'invalid_capabilities_token', description: 'string', detail: {} },
  { code: 'scope_not_granted', description: 'string', detail: { scopes: ['string'] } },
  { code: 'permission_denied', description: 'string', detail: { details: 'string' } },
];

const messages = (findings: { message: string }[]) => findings.map((f) => f.message);

describe('the operation as the validator sees it', () => {
  test('method, path, statuses and variants', () => {
    assert.deepEqual(validator.operation(OP), {
      method: 'post',
      path: '/api_tokens/api_token/regenerate_secret',
      statuses: [200, 400, 403, 404, 422, 429, 503],
    });
    assert.deepEqual(validator.documentedStatuses(OP), [200, 400, 403, 404, 422, 429, 503]);
    assert.deepEqual(validator.variants(OP, 403).map((v) => v.code), CODES_403);
    assert.deepEqual(validator.variants(OP, 403).map((v) => v.title), [
      'UnauthorizedNetworkForAPITokenSchema',
      'InvalidAPITokenSchema',
      'InvalidCapabilitiesTokenSchema',
      'ScopeNotGrantedErrorSchema',
      'PermissionDeniedSchema',
    ]);
    assert.deepEqual(validator.variants(OP, 400), []);
    assert.deepEqual(validator.codes(OP, 400), ['missing_api_token']);
  });

  test('an unknown operationId is a clear error naming it and the known ones', () => {
    assert.throws(() => validator.operation('get:nope'), /Unknown operationId "get:nope".*post:api_token_regenerate_secret/);
    assert.throws(() => validator.validate('get:nope', 200, {}), /Unknown operationId/);
  });

  test('a missing schemas directory is a clear error with the fix', () => {
    assert.throws(() => loadSchemaSet('/nonexistent/schemas'), /\/nonexistent\/schemas\/manifest\.json does not exist; run npm run schemas/);
  });
});

describe('documented examples pass', () => {
  for (const [status, body] of Object.entries(PAGE_EXAMPLES)) {
    test(`${status}: the page's example`, () => {
      assert.deepEqual(validator.validate(OP, Number(status), body), []);
      assert.deepEqual(validator.undocumentedFields(OP, Number(status), body), []);
    });
  }
  for (const body of PAGE_403_VARIANTS) {
    test(`403: ${body.code}`, () => {
      assert.deepEqual(validator.validate(OP, 403, body), []);
      assert.deepEqual(validator.undocumentedFields(OP, 403, body), []);
    });
  }

  test("403: the page's literal `{}` example is not a valid 403 body", () => {
    // It has no code, so it names no variant (and under the published schema it
    // would match all five branches of the oneOf at once).
    const findings = validator.validate(OP, 403, {});
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^403 body: \/code is missing/);
  });

  test('200: nullable fields accept null', () => {
    const body = { api_token: { ...(PAGE_EXAMPLES[200] as { api_token: object }).api_token, expires_at: null, organization_id: null } };
    assert.deepEqual(validator.validate(OP, 200, body), []);
  });
});

describe('failures name the variant, the field, expected and actual', () => {
  test('403 with detail.ip_address: 5', () => {
    const body = { code: 'unauthorized_network_for_api_token', description: 'Network not allowed', detail: { ip_address: 5 } };
    const findings = validator.validate(OP, 403, body, 'regenerate');
    assert.deepEqual(findings, [
      {
        check: 'schema',
        severity: 'error',
        message:
          '403 body (variant UnauthorizedNetworkForAPITokenSchema, code unauthorized_network_for_api_token): /detail/ip_address must be string, got number',
        expected: 'string',
        actual: 5,
        instancePath: '/detail/ip_address',
        schemaPath: '#/oneOf[UnauthorizedNetworkForAPITokenSchema]/properties/detail/properties/ip_address/type',
        exchange: 'regenerate',
      },
    ]);
  });

  test('403 with an undocumented code lists the documented codes, in one finding', () => {
    const findings = validator.validate(OP, 403, { code: 'token_revoked', description: 'x', detail: {} });
    assert.equal(findings.length, 1, messages(findings).join('\n'));
    assert.equal(findings[0].instancePath, '/code');
    assert.equal(findings[0].actual, 'token_revoked');
    assert.deepEqual(findings[0].expected, CODES_403);
    assert.match(findings[0].message, /"token_revoked" is not a documented code for status 403/);
    for (const code of CODES_403) assert.ok(findings[0].message.includes(code), `names ${code}`);
  });

  test('a body without description fails, naming the field', () => {
    const findings = validator.validate(OP, 400, { code: 'missing_api_token', detail: {} });
    assert.equal(findings.length, 1);
    assert.equal(findings[0].message, '400 body: /description is required but missing');
    assert.equal(findings[0].instancePath, '/description');
    assert.equal(findings[0].schemaPath, '#/required');
  });

  test('detail: null fails (detail must be an object)', () => {
    const plain = validator.validate(OP, 404, { code: 'api_token_not_found', description: 'x', detail: null });
    assert.deepEqual(messages(plain), ['404 body: /detail must be object, got null']);
    const variant = validator.validate(OP, 403, { code: 'scope_not_granted', description: 'x', detail: null });
    assert.deepEqual(messages(variant), ['403 body (variant ScopeNotGrantedErrorSchema, code scope_not_granted): /detail must be object, got null']);
  });

  test('a wrong fixed code, and a wrong type deep in the 200 body', () => {
    assert.deepEqual(messages(validator.validate(OP, 429, { code: 'slow_down', description: 'x', detail: { total_permitted: 5 } })), [
      '429 body: /code must be "rate_limit_reached", got "slow_down"',
    ]);
    const findings = validator.validate(OP, 200, { api_token: { id: 'a', expires_at: 'tomorrow', scopes: ['a', 7] } });
    assert.deepEqual(messages(findings), [
      '200 body: /api_token/expires_at must be integer or null, got string',
      '200 body: /api_token/scopes/1 must be string, got number',
    ]);
  });

  test('actual never quotes more than the offending value', () => {
    const secret = 'sk-very-secret-value';
    const findings = [
      ...validator.validate(OP, 200, { api_token: [secret] }),
      ...validator.validate(OP, 200, { api_token: { secret, rate_limit: 'x' } }),
      ...validator.validate(OP, 403, { code: 'invalid_api_token', description: secret, detail: [secret] }),
    ];
    assert.equal(findings.length, 3, messages(findings).join('\n'));
    assert.ok(!JSON.stringify(findings).includes(secret), JSON.stringify(findings));
    assert.equal(findings[0].actual, '<array of 1 item>');
    assert.equal(findings[1].actual, 'x');
  });

  test('a status the operation does not document, or no parsed body, is left to the other checks', () => {
    assert.deepEqual(validator.validate(OP, 418, { anything: true }), []);
    assert.deepEqual(validator.validate(OP, 200, undefined), []);
  });

  test('validators are compiled once per operation and status', () => {
    const fresh = new ResponseValidator(loadSchemaSet());
    const original = ajv.compile;
    let compiles = 0;
    ajv.compile = ((schema: object) => {
      compiles++;
      return original.call(ajv, schema);
    }) as typeof ajv.compile;
    try {
      for (let i = 0; i < 3; i++) {
        fresh.validate(OP, 400, PAGE_EXAMPLES[400]);
        fresh.validate(OP, 403, PAGE_403_VARIANTS[0]);
      }
    } finally {
      ajv.compile = original;
    }
    assert.equal(compiles, 2);
  });
});

describe('the published profile (no discriminator) still names the variant', () => {
  const doc = JSON.parse(readFileSync(join(DEFAULT_SPECS_DIR, 'regenerate-secret.openapi.json'), 'utf8')) as OpenAPIV3.Document;
  const published = new ResponseValidator(
    schemaSetFromOperations(deriveDocument(doc, { source: 'specs/regenerate-secret.openapi.json', profile: 'published' }), 'specs/regenerate-secret.openapi.json', 'published'),
  );

  test('the wrong field of the branch that the code selects, and nothing from the other branches', () => {
    const findings = published.validate(OP, 403, { code: 'unauthorized_network_for_api_token', description: 'x', detail: { ip_address: 5 } });
    assert.deepEqual(messages(findings), [
      '403 body (variant UnauthorizedNetworkForAPITokenSchema, code unauthorized_network_for_api_token): /detail/ip_address must be string, got number',
    ]);
  });

  test('an unknown code is one finding listing the documented codes', () => {
    const findings = published.validate(OP, 403, { code: 'token_revoked' });
    assert.equal(findings.length, 1, messages(findings).join('\n'));
    assert.deepEqual(findings[0].expected, CODES_403);
    assert.match(findings[0].message, /matches none of the documented variants: code "token_revoked" is not one of unauthorized_network_for_api_token/);
  });

  test('it is as lax as published: no required keys', () => {
    assert.deepEqual(published.validate(OP, 400, { code: 'missing_api_token' }), []);
  });
});

describe('undocumented fields', () => {
  test('an extra top-level field and an extra field in api_token are warnings', () => {
    const body = { api_token: { ...(PAGE_EXAMPLES[200] as { api_token: object }).api_token, created_at: 1 }, request_id: 'r' };
    const findings = validator.undocumentedFields(OP, 200, body, 'regenerate');
    assert.deepEqual(
      findings.map((f) => [f.check, f.severity, f.instancePath, f.exchange]),
      [
        ['undocumented_fields', 'warning', '/api_token/created_at', 'regenerate'],
        ['undocumented_fields', 'warning', '/request_id', 'regenerate'],
      ],
    );
    assert.match(findings[0].message, /^200 body: \/api_token\/created_at is not a documented field \(documented here: id, name,/);
    assert.deepEqual(validator.validate(OP, 200, body), [], 'never a schema failure');
  });

  test('nothing inside a free-form detail {}, but fields next to documented detail properties are', () => {
    assert.deepEqual(validator.undocumentedFields(OP, 400, { code: 'missing_api_token', description: 'd', detail: { hint: 'x', nested: { a: 1 } } }), []);
    assert.deepEqual(validator.undocumentedFields(OP, 403, { code: 'invalid_capabilities_token', description: 'd', detail: { hint: 'x' } }), []);
    const findings = validator.undocumentedFields(OP, 403, { code: 'unauthorized_network_for_api_token', description: 'd', detail: { ip_address: '1.2.3.4', port: 1 } });
    assert.deepEqual(findings.map((f) => f.instancePath), ['/detail/port']);
  });
});

describe('ajvErrorsToFindings', () => {
  test('no errors, no findings', () => {
    assert.deepEqual(ajvErrorsToFindings(null, { status: 200, schema: {}, body: {} }), []);
    assert.deepEqual(ajvErrorsToFindings([], { status: 200, schema: {}, body: {} }), []);
  });

  test('a nullable allOf reads as "object or null", not as two unrelated errors', () => {
    const doc = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/x': {
          get: {
            operationId: 'get:x',
            responses: {
              '200': {
                description: 'ok',
                content: { 'application/json': { schema: { properties: { country: { allOf: [{ $ref: '#/components/schemas/Country' }], nullable: true } } } } },
              },
            },
          },
        },
      },
      components: { schemas: { Country: { type: 'object', properties: { name: { type: 'string' } } } } },
    } as unknown as OpenAPIV3.Document;
    const v = new ResponseValidator(schemaSetFromOperations(deriveDocument(doc, { source: 'test' }), 'test'));
    assert.deepEqual(v.validate('get:x', 200, { country: null }), []);
    assert.deepEqual(messages(v.validate('get:x', 200, { country: 'GB' })), ['200 body: /country must be object or null, got string']);
    assert.deepEqual(messages(v.validate('get:x', 200, { country: { name: 1 } })), ['200 body: /country/name must be string, got number']);
  });
});
