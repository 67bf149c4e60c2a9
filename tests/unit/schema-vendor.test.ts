/**
 * The hand-written spec against the vendor's own documents (reference data,
 * tests/support/reference.ts; a loud skip when they are not there):
 * - it derives the same schemas as the vendor's extract of the operation, for
 *   every status and in both profiles: the proof that specs/ is faithful;
 * - the whole Core API derives, and every derived schema compiles in the suite's
 *   Ajv instance, so a user can drop the vendor's document into specs/.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { OpenAPIV3 } from 'openapi-types';
import { REPO_ROOT } from '../../src/model/suite-root.ts';
import { deriveDocument, type DerivedOperation } from '../../src/schema/derive.ts';
import type { JSONSchema, Profile } from '../../src/schema/json-schema.ts';
import { ajv } from '../../src/schema/ajv.ts';
import { missingReference, referenceFile } from '../support/reference.ts';

const EXTRACT_NAME = 'regenerate-secret-openapi.json';
const CORE_NAME = 'katapult-core-openapi.json';
const EXTRACT = referenceFile(EXTRACT_NAME);
const CORE = referenceFile(CORE_NAME);
const SPEC = join(REPO_ROOT, 'specs', 'regenerate-secret.openapi.json');
const OPERATION = 'post:api_token_regenerate_secret';

const load = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as OpenAPIV3.Document;
const derive = (file: string, profile: Profile) => deriveDocument(load(file), { source: file, profile });

/**
 * Annotations (title, description, $comment) do not change what a schema
 * accepts, and the page words some of them differently from the vendor's
 * document; everything else must be identical. Property names are data, not
 * keywords: a property called "description" is kept.
 */
function normalise(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalise);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'title' || key === 'description' || key === '$comment') continue;
    if ((key === 'properties' || key === 'definitions') && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, normalise(sub)]));
    } else if (key === 'enum' || key === 'required' || key === 'const' || key === 'default') out[key] = value;
    else out[key] = normalise(value);
  }
  return out;
}

const operation = (ops: DerivedOperation[]) => {
  const op = ops.find((o) => o.operationId === OPERATION);
  assert.ok(op, `${OPERATION} is derived`);
  return op;
};

for (const profile of ['strict', 'published'] as const) {
  test(`the hand-written spec derives the same ${profile} schemas as the vendor's extract, status by status`, (t) => {
    const missing = missingReference(EXTRACT_NAME);
    if (missing) {
      t.skip(missing);
      return;
    }
    const mine = operation(derive(SPEC, profile));
    const vendor = operation(derive(EXTRACT, profile));
    assert.equal(mine.method, vendor.method);
    assert.equal(mine.path, vendor.path);
    assert.deepEqual(Object.keys(mine.responses), Object.keys(vendor.responses), 'same statuses, same order');
    assert.deepEqual(Object.keys(mine.responses), ['200', '400', '403', '404', '422', '429', '503']);
    assert.deepEqual(normalise(mine.request), normalise(vendor.request), 'request body');
    for (const status of Object.keys(vendor.responses)) {
      const [m, v] = [mine.responses[status], vendor.responses[status]];
      assert.ok(m.schema && v.schema, `${status} has a JSON body in both`);
      assert.deepEqual(normalise(m.schema), normalise(v.schema as JSONSchema), `${status} schema`);
      assert.equal(m.description, v.description, `${status} description (from the page)`);
      assert.deepEqual(m.variants, v.variants, `${status} variants (vendor's component names)`);
      assert.deepEqual(m.codes, v.codes, `${status} codes`);
    }
  });
}

test('normalise() only hides annotations: a real difference still fails the comparison', () => {
  const a = { type: 'object', properties: { description: { type: 'string' } }, title: 'A' };
  const b = { type: 'object', properties: { description: { type: 'integer' } }, title: 'B' };
  assert.deepEqual(normalise({ ...a, title: 'other', description: 'x' }), normalise(a));
  assert.notDeepEqual(normalise(a), normalise(b));
  assert.notDeepEqual(normalise({ properties: { description: {} } }), normalise({ properties: {} }));
});

test('the whole Core API derives (189 operations) and every derived schema compiles in Ajv', (t) => {
  const missing = missingReference(CORE_NAME);
  if (missing) {
    t.skip(missing);
    return;
  }
  const strict = derive(CORE, 'strict');
  assert.equal(strict.length, 189);
  assert.equal(new Set(strict.map((o) => o.slug)).size, 189, 'slugs are unique');
  let compiled = 0;
  for (const op of strict) {
    for (const [status, response] of Object.entries(op.responses)) {
      if (!response.schema) continue;
      assert.doesNotThrow(() => ajv.compile(response.schema!), `${op.operationId} ${status} compiles`);
      compiled++;
    }
    if (op.request) {
      assert.doesNotThrow(() => ajv.compile(op.request!), `${op.operationId} request compiles`);
      compiled++;
    }
  }
  assert.ok(compiled > 1000, `compiled ${compiled} schemas`);
  // The vendor's document fixes a code in each branch of every error oneOf, so
  // every 403 of the Core API is discriminated in the strict profile...
  for (const op of strict) assert.ok(op.responses['403']?.schema?.discriminator || !op.responses['403']?.schema?.oneOf, `${op.operationId} 403 is discriminated`);
  // ...and the operation under test is the same in the Core API as in the extract.
  if (existsSync(EXTRACT)) assert.deepEqual(operation(strict), operation(derive(EXTRACT, 'strict')));

  const published = derive(CORE, 'published');
  assert.equal(published.length, 189);
  for (const op of published) for (const r of Object.values(op.responses)) assert.equal(r.schema?.discriminator, undefined);
});
