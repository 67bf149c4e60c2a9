/**
 * The derivation rules of src/schema/derive.ts, on small documents written for
 * each rule, plus Ajv's verdict where the point is what a schema accepts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OpenAPIV3 } from 'openapi-types';
import { deriveDocument, type DerivedOperation } from '../../src/schema/derive.ts';
import { DerivationError, DRAFT_07, type JSONSchema } from '../../src/schema/json-schema.ts';
import { ajv } from '../../src/schema/ajv.ts';

type Doc = OpenAPIV3.Document;

/** A one-operation document whose 200 (and optionally 403) body and components are given. */
function docWith(opts: {
  ok?: unknown;
  forbidden?: unknown;
  schemas?: Record<string, unknown>;
  extra?: Record<string, unknown>;
  operationId?: string | null;
}): Doc {
  const responses: Record<string, unknown> = {};
  if (opts.ok !== undefined) responses['200'] = { description: 'ok', content: { 'application/json': { schema: opts.ok } } };
  if (opts.forbidden !== undefined) responses['403'] = { description: 'forbidden', content: { 'application/json': { schema: opts.forbidden } } };
  const operation: Record<string, unknown> = { responses };
  if (opts.operationId !== null) operation.operationId = opts.operationId ?? 'get:thing';
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: { '/things/{id}': { get: operation } },
    components: { schemas: opts.schemas ?? {}, ...(opts.extra ?? {}) },
  } as unknown as Doc;
}

const only = (ops: DerivedOperation[]) => {
  assert.equal(ops.length, 1);
  return ops[0];
};
const body = (doc: Doc, status = '200', profile: 'strict' | 'published' = 'strict') => {
  const schema = only(deriveDocument(doc, { source: 'test.json', profile })).responses[status].schema;
  assert.ok(schema, `status ${status} has a schema`);
  return schema;
};
const accepts = (schema: JSONSchema, value: unknown) => ajv.compile(schema)(value);

const errorBranch = (code: string, detail: unknown) => ({
  type: 'object',
  properties: {
    code: { type: 'string', enum: [code] },
    description: { type: 'string' },
    detail,
  },
});

describe('deriveDocument', () => {
  test('every body is a standalone draft-07 schema', () => {
    const schema = body(docWith({ ok: { type: 'object', properties: { a: { type: 'string' } } } }));
    assert.equal(schema.$schema, DRAFT_07);
    assert.deepEqual(schema.properties, { a: { type: 'string' } });
  });

  test('nullable: a typed schema becomes a type union, and null joins its enum', () => {
    const schema = body(
      docWith({
        ok: {
          type: 'object',
          properties: {
            n: { type: 'integer', nullable: true },
            e: { type: 'string', enum: ['a', 'b'], nullable: true },
            plain: { type: 'string', nullable: false },
          },
        },
      }),
    );
    const props = schema.properties as Record<string, JSONSchema>;
    assert.deepEqual(props.n, { type: ['integer', 'null'] });
    assert.deepEqual(props.e, { type: ['string', 'null'], enum: ['a', 'b', null] });
    assert.deepEqual(props.plain, { type: 'string' });
    assert.ok(accepts(schema, { n: null, e: null }));
    assert.ok(!accepts(schema, { plain: null }));
    assert.ok(!accepts(schema, { e: 'c' }));
  });

  test('nullable next to allOf or $ref wraps the schema in anyOf with null', () => {
    const schema = body(
      docWith({
        ok: {
          type: 'object',
          properties: {
            viaAllOf: { allOf: [{ $ref: '#/components/schemas/Thing' }], nullable: true, description: 'kept outside' },
            viaRef: { $ref: '#/components/schemas/Thing', nullable: true },
          },
        },
        schemas: { Thing: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
      }),
    );
    const props = schema.properties as Record<string, JSONSchema>;
    const thing = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
    assert.deepEqual(props.viaAllOf, { description: 'kept outside', anyOf: [{ allOf: [thing] }, { type: 'null' }] });
    assert.deepEqual(props.viaRef, { type: ['object', 'null'], properties: thing.properties, required: ['id'] });
    assert.ok(accepts(schema, { viaAllOf: null, viaRef: null }));
    assert.ok(!accepts(schema, { viaAllOf: {} }), 'the allOf still applies to a non-null value');
  });

  test('allOf is kept and $refs are inlined', () => {
    const schema = body(
      docWith({
        ok: { properties: { token: { allOf: [{ $ref: '#/components/schemas/Token' }] } }, required: ['token'] },
        schemas: { Token: { type: 'object', properties: { secret: { type: 'string' } } } },
      }),
    );
    const token = (schema.properties as Record<string, JSONSchema>).token;
    assert.deepEqual(token, { allOf: [{ type: 'object', properties: { secret: { type: 'string' } } }] });
    assert.ok(!JSON.stringify(schema).includes('$ref'), 'no $ref is left');
  });

  test('a recursive $ref terminates as a local definition and still validates deeply', () => {
    const schema = body(
      docWith({
        ok: { $ref: '#/components/schemas/Disk' },
        schemas: {
          Disk: { type: 'object', properties: { name: { type: 'string' }, attachment: { $ref: '#/components/schemas/Attachment' } } },
          Attachment: { type: 'object', properties: { disk: { $ref: '#/components/schemas/Disk', nullable: true } } },
        },
      }),
    );
    const definitions = schema.definitions as Record<string, JSONSchema>;
    assert.ok(definitions?.Disk, 'Disk is kept as a definition');
    const disk = ((schema.properties as any).attachment.properties.disk) as JSONSchema;
    assert.deepEqual(disk, { anyOf: [{ $ref: '#/definitions/Disk' }, { type: 'null' }] });
    const validate = ajv.compile(schema);
    assert.ok(validate({ name: 'a', attachment: { disk: { name: 'b', attachment: { disk: null } } } }));
    assert.ok(!validate({ name: 'a', attachment: { disk: { name: 'b', attachment: { disk: { name: 5 } } } } }), 'three levels down is still checked');
  });

  test('OpenAPI-only keywords are dropped, annotations and draft-07 keywords kept', () => {
    const schema = body(
      docWith({
        ok: {
          type: 'object',
          example: { a: 1 },
          xml: { name: 'x' },
          externalDocs: { url: 'https://example.com' },
          'x-internal': true,
          discriminator: { propertyName: 'kind' },
          properties: {
            a: { type: 'integer', minimum: 1, maximum: 10, exclusiveMaximum: true, readOnly: true, format: 'int32', example: 3 },
          },
        },
      }),
    );
    assert.deepEqual(schema, {
      $schema: DRAFT_07,
      type: 'object',
      properties: { a: { type: 'integer', format: 'int32', minimum: 1, exclusiveMaximum: 10, readOnly: true } },
    });
  });

  test('strict profile: an error body requires code, description and detail, and detail must be an object', () => {
    const doc = docWith({
      forbidden: {
        properties: {
          code: { type: 'string', enum: ['nope'] },
          description: { type: 'string' },
          detail: { properties: { why: { type: 'string' } } },
        },
      },
    });
    const strict = body(doc, '403', 'strict');
    assert.equal(strict.type, 'object');
    assert.deepEqual(strict.required, ['code', 'description', 'detail']);
    const detail = (strict.properties as Record<string, JSONSchema>).detail;
    assert.deepEqual(detail, { type: 'object', properties: { why: { type: 'string' } } }, 'documented properties are kept');
    assert.ok(accepts(strict, { code: 'nope', description: 'd', detail: {} }));
    assert.ok(!accepts(strict, { code: 'nope', detail: {} }), 'description is required');
    assert.ok(!accepts(strict, { code: 'nope', description: 'd', detail: null }), 'detail must be an object');
    assert.ok(!accepts(strict, { code: 'nope', description: 'd', detail: [] }));

    const published = body(doc, '403', 'published');
    assert.equal(published.required, undefined);
    assert.equal(published.type, undefined);
    assert.ok(accepts(published, { code: 'nope', detail: null }), 'the published schema is as lax as documented');
  });

  test('a success body is never given the error-body rules', () => {
    const schema = body(
      docWith({ ok: { properties: { code: { type: 'string' }, description: { type: 'string' }, detail: {} } } }),
    );
    assert.equal(schema.required, undefined);
  });

  test('strict profile discriminates a code-fixing oneOf; branches carry title and x-variant', () => {
    const doc = docWith({
      forbidden: { $ref: '#/components/schemas/OneOfForbidden' },
      schemas: {
        OneOfForbidden: { oneOf: [{ $ref: '#/components/schemas/NetworkSchema' }, { $ref: '#/components/schemas/ScopeSchema' }] },
        NetworkSchema: errorBranch('bad_network', { type: 'object', properties: { ip_address: { type: 'string' } } }),
        ScopeSchema: errorBranch('scope_missing', { properties: { scopes: { type: 'array', items: { type: 'string' } } } }),
      },
    });
    const op = only(deriveDocument(doc, { source: 'test.json' }));
    const strict = op.responses['403'].schema!;
    assert.deepEqual(strict.discriminator, { propertyName: 'code' });
    assert.equal(strict.type, 'object', 'Ajv skips non-objects under a discriminator, so the type is required');
    const branches = strict.oneOf as JSONSchema[];
    assert.deepEqual(
      branches.map((b) => [b.title, b['x-variant'], b.required]),
      [
        ['NetworkSchema', 'bad_network', ['code', 'description', 'detail']],
        ['ScopeSchema', 'scope_missing', ['code', 'description', 'detail']],
      ],
    );
    assert.deepEqual(op.responses['403'].variants, [
      { code: 'bad_network', title: 'NetworkSchema' },
      { code: 'scope_missing', title: 'ScopeSchema' },
    ]);
    assert.deepEqual(op.responses['403'].codes, ['bad_network', 'scope_missing']);
    const validate = ajv.compile(strict); // Ajv throws here if its discriminator preconditions are not met
    assert.ok(validate({ code: 'scope_missing', description: 'd', detail: { scopes: ['x'] } }));
    assert.ok(!validate({ code: 'other', description: 'd', detail: {} }));
    assert.ok(!validate('not an object'));

    const published = only(deriveDocument(doc, { source: 'test.json', profile: 'published' })).responses['403'];
    assert.equal(published.schema!.discriminator, undefined, 'published never requires code, which Ajv needs');
    assert.notDeepEqual(published.schema, strict);
    assert.deepEqual(published.variants, op.responses['403'].variants, 'variants are named in both profiles');
    ajv.compile(published.schema!);
  });

  test('a oneOf whose branches do not each fix one code gets no discriminator', () => {
    const schema = body(
      docWith({
        forbidden: { oneOf: [errorBranch('a', { type: 'object' }), { ...errorBranch('b', { type: 'object' }), properties: { code: { type: 'string', enum: ['b', 'c'] }, description: { type: 'string' }, detail: { type: 'object' } } }] },
      }),
      '403',
    );
    assert.equal(schema.discriminator, undefined);
    ajv.compile(schema);
  });

  test('response, request-body and nested schema $refs are all resolved', () => {
    const doc = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/a': {
          post: {
            operationId: 'post:a',
            requestBody: { $ref: '#/components/requestBodies/ABody' },
            responses: { '404': { $ref: '#/components/responses/NotFound' } },
          },
        },
      },
      components: {
        requestBodies: { ABody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Lookup' } } } } },
        responses: { NotFound: { $ref: '#/components/responses/NotFoundReal' }, NotFoundReal: { description: 'not here', content: { 'application/json; charset=utf-8': { schema: { type: 'object' } } } } },
        schemas: { Lookup: { type: 'object', properties: { id: { type: 'string' } } } },
      },
    } as unknown as Doc;
    const op = only(deriveDocument(doc, { source: 'test.json' }));
    assert.deepEqual(op.request, { $schema: DRAFT_07, type: 'object', properties: { id: { type: 'string' } } });
    assert.equal(op.responses['404'].description, 'not here');
    assert.deepEqual(op.responses['404'].schema, { $schema: DRAFT_07, type: 'object' });
  });

  test('a response without a JSON body has a null schema', () => {
    const doc = docWith({});
    (doc.paths['/things/{id}']!.get!.responses as Record<string, unknown>)['204'] = { description: 'gone' };
    (doc.paths['/things/{id}']!.get!.responses as Record<string, unknown>)['200'] = { description: 'text', content: { 'text/plain': { schema: { type: 'string' } } } };
    const op = only(deriveDocument(doc, { source: 'test.json' }));
    assert.equal(op.responses['204'].schema, null);
    assert.equal(op.responses['200'].schema, null);
  });

  test('an operation without operationId gets one and a slug from method and path', () => {
    const op = only(deriveDocument(docWith({ ok: {}, operationId: null }), { source: 'test.json' }));
    assert.equal(op.operationId, 'get /things/{id}');
    assert.equal(op.slug, 'get-things-id');
    const named = only(deriveDocument(docWith({ ok: {}, operationId: 'post:api_token_regenerate_secret' }), { source: 'test.json' }));
    assert.equal(named.slug, 'post-api_token_regenerate_secret');
  });

  test('problems are DerivationErrors naming the source and the place', () => {
    assert.throws(
      () => deriveDocument(docWith({ ok: { $ref: '#/components/schemas/Missing' } }), { source: 'specs/broken.json' }),
      (e: unknown) =>
        e instanceof DerivationError && /specs\/broken\.json/.test(e.message) && /#\/components\/schemas\/Missing/.test(e.message) && /does not resolve/.test(e.message),
    );
    assert.throws(
      () => deriveDocument({ ...docWith({}), openapi: '3.1.0' } as Doc, { source: 'specs/new.json' }),
      /specs\/new\.json: OpenAPI 3\.1\.0 is not supported/,
    );
    assert.throws(() => deriveDocument({ swagger: '2.0' } as unknown as Doc, { source: 'specs/old.json' }), /specs\/old\.json: not an OpenAPI document/);
  });

  test('output is deterministic, key order included', () => {
    const doc = docWith({ ok: { properties: { b: { type: 'string' } }, type: 'object', required: ['b'], description: 'd' } });
    const a = JSON.stringify(deriveDocument(doc, { source: 'x' }));
    const b = JSON.stringify(deriveDocument(structuredClone(doc), { source: 'x' }));
    assert.equal(a, b);
    assert.deepEqual(Object.keys(body(doc)), ['$schema', 'description', 'type', 'properties', 'required']);
  });
});
