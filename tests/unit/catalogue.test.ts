import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogue, OPERATION_ID, STATE_NAMES } from '../../src/scenarios/regenerate-secret.catalogue.ts';
import { loadSchemas } from '../../src/suite/context.ts';

const schemas = loadSchemas();

test('every documented status has at least one scenario', () => {
  const statuses = schemas.documentedStatuses(OPERATION_ID);
  assert.deepEqual([...statuses].sort(), [200, 400, 403, 404, 422, 429, 503].sort());
  for (const status of statuses) assert.ok(catalogue.some((c) => c.status === status), `status ${status} has no scenario`);
});

test('every oneOf variant of every status has at least one scenario', () => {
  let variantsSeen = 0;
  for (const status of schemas.documentedStatuses(OPERATION_ID)) {
    for (const v of schemas.variants(OPERATION_ID, status)) {
      variantsSeen++;
      assert.ok(catalogue.some((c) => c.status === status && c.variant === v.code), `${status} variant ${v.code} (${v.title}) has no scenario`);
    }
  }
  assert.equal(variantsSeen, 5, 'the 403 oneOf documents five variants');
});

test('scenario ids are unique and every state of the protocol is used', () => {
  assert.equal(new Set(catalogue.map((c) => c.id)).size, catalogue.length);
  for (const state of STATE_NAMES) assert.ok(catalogue.some((c) => c.state === state), `state ${state} is never used`);
});

test('scenarios report only documented statuses and codes', () => {
  for (const c of catalogue) {
    assert.ok(schemas.documentedStatuses(OPERATION_ID).includes(c.status), c.id);
    const variants = schemas.variants(OPERATION_ID, c.status);
    if (variants.length) assert.ok(variants.some((v) => v.code === c.variant), `${c.id}: ${c.variant} is not a documented variant of ${c.status}`);
  }
});

test('bad-input scenarios are reported under 422 as kind bad_input, and there are six', () => {
  const bad = catalogue.filter((c) => c.kind === 'bad_input');
  assert.equal(bad.length, 6);
  for (const b of bad) assert.equal(b.status, 422);
});
