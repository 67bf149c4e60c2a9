/**
 * The reference mock under fuzzing and load: property-based tests
 * (fast-check) of request bodies, headers and state-protocol messages never
 * get a 5xx or crash it; 200 concurrent regenerations of one token all
 * answer 200 or a documented error, with distinct secrets and exactly one
 * valid at the end; memory stays bounded over a long series of states set up
 * and torn down.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzMock } from '../support/reliability/fuzz.ts';
import { concurrentRegenerations, stateChurn } from '../support/reliability/load.ts';

const RUNS = 300;

test(`fuzzing: ${RUNS} cases of each property, no 5xx, no internal error, still answering`, async () => {
  const r = await fuzzMock({ runs: RUNS });
  assert.deepEqual(r.failures, [], `seed ${r.seed}`);
  assert.equal(r.total, RUNS * 3);
  assert.deepEqual(Object.values(r.cases), [RUNS, RUNS, RUNS]);
  assert.equal(r.fiveXX, 0);
  assert.equal(r.internalErrors, 0);
  assert.ok(r.aliveAfter);
  // The generators reach the interesting answers, not only 400.
  for (const status of ['200', '400', '403', '404', '422']) assert.ok((r.statuses[status] ?? 0) > 0, `no ${status} in ${JSON.stringify(r.statuses)}`);
});

test('positive control: the same fuzzing finds a 5xx in a mock broken on purpose, and reports it without the bearer', async () => {
  const r = await fuzzMock({ runs: RUNS, seed: 42, faults: ['not-found-500'] });
  assert.ok(r.fiveXX >= 1, JSON.stringify(r.statuses));
  assert.equal(r.failures.length, 1);
  assert.match(r.failures[0], /^request bodies: Property failed after \d+ tests[\s\S]*Counterexample/);
});

for (const variant of ['caller', 'self'] as const) {
  test(`200 concurrent regenerations of one token (${variant === 'caller' ? 'by another token of the organization' : 'with its own secret'}): distinct secrets, exactly one valid at the end`, async () => {
    const r = await concurrentRegenerations(200, variant);
    assert.equal(r.transportErrors, 0);
    assert.equal(r.fiveXX, 0);
    assert.deepEqual(r.unexpected, []);
    assert.equal(Object.values(r.statuses).reduce((a, b) => a + b, 0), 200);
    if (variant === 'caller') assert.deepEqual(r.statuses, { '200': 200 });
    assert.ok(r.secretsAnswered >= 1);
    assert.equal(r.distinctSecrets, r.secretsAnswered, 'a secret was answered twice');
    assert.equal(r.validAtEnd, 1, 'exactly one secret authenticates at the end');
    assert.equal(r.oldSecretValid, false);
  });
}

test('5000 states set up, used and torn down: every token removed, heap bounded', async () => {
  const r = await stateChurn(5000);
  assert.equal(r.fiveXX, 0);
  assert.ok(r.documented503 > 0);
  assert.equal(r.tokensAfter, r.tokensBefore, 'teardown left tokens behind');
  // What grows is the capped list of issued secrets kept for leak scans (~100 bytes per secret).
  assert.ok(r.heapAfterMB - r.heapBeforeMB < 8, `heap ${r.heapBeforeMB} MB -> ${r.heapAfterMB} MB`);
});
