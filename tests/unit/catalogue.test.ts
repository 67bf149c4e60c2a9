import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { STATE_NAMES } from '../../src/protocol/provider-states.ts';
import { loadSchemas } from '../../src/operations/run-schemas.ts';
import { plannedScenarios, registeredOperations } from '../../src/operations/registry.ts';
const { catalogue } = regenerateSecret;
const OPERATION_ID = regenerateSecret.id;

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

test('every registered operation: each flow and detail rule its catalogue names exists, its states are the ones it arranges, ids unique across operations', () => {
  const ops = registeredOperations();
  assert.ok(ops.length >= 1);
  assert.equal(plannedScenarios(ops).length, ops.reduce((n, o) => n + o.catalogue.length, 0));
  for (const op of ops) {
    assert.doesNotThrow(() => schemas.operation(op.id), `${op.id} has derived schemas`);
    for (const c of op.catalogue) {
      if (c.kind === 'behaviour') assert.equal(typeof op.flows[c.flow], 'function', `${op.id} ${c.id}: flow ${c.flow}`);
      else for (const r of c.detailRules ?? []) assert.equal(typeof op.detailRules[r], 'function', `${op.id} ${c.id}: detail rule ${r}`);
    }
    assert.deepEqual([...op.states].sort(), [...new Set(op.catalogue.map((c) => c.state).filter(Boolean))].sort());
  }
});

test('a scenario id used by two operations is refused', () => {
  const twin = { ...regenerateSecret, id: 'post:twin' };
  assert.throws(() => plannedScenarios([regenerateSecret, twin]), /used by both post:api_token_regenerate_secret and post:twin/);
});
