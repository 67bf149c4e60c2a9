/**
 * Each fault of the reference mock breaks exactly the behaviour it names.
 *
 * A survey runs one probe per documented behaviour (the same situations the
 * contract's scenarios arrange) against a mock, and lists the behaviours that
 * do not hold. The clean mock must show none; each fault must show exactly
 * its expected set: the behaviour it names, plus only those that it breaks
 * by necessity (say, a 500 also breaks "never a 5xx"). The survey itself is
 * tests/support/mock-fault-survey.ts; what the faulty answers look like,
 * mock-fault-answers.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_NAMES, FAULTS, faultFlags, parseFaults, type FaultName } from '../../src/mock/faults.ts';
import { STATEFUL_BEHAVIOURS, survey } from '../support/mock-fault-survey.ts';

/** fault -> behaviours it must break (exactly). Extra entries are necessary consequences, commented. */
const EXPECTED: Record<FaultName, string[]> = {
  // the old secret stays the current one, so it still authenticates and the second answer repeats it
  // (the history probe finds the unchanged secret still authenticating)
  'secret-not-renewed': ['regen.secret-new', 'regen.old-secret-rejected', 'regen.second-differs', 'regen.history-earlier-refused'],
  // "" cannot authenticate, and the second regeneration answers "" again
  // (the history probe stops at the missing secret; "" never authenticates, not even three times)
  'secret-empty': ['regen.secret-new', 'regen.new-secret-authenticates', 'regen.second-differs', 'regen.history-earlier-refused', 'regen.new-secret-durable'],
  'token-id-mismatch': ['regen.id'],
  'token-field-changed': ['regen.fields-unchanged'],
  // every earlier secret stays valid: the history and the race see it too
  'old-secret-still-valid': ['regen.old-secret-rejected', 'regen.history-earlier-refused', 'regen.race-one-valid'],
  // no answered secret works: not three times, and no racer's secret
  'new-secret-not-stored': ['regen.new-secret-authenticates', 'regen.new-secret-durable', 'regen.race-one-valid'],
  // the third regeneration answers the first one's secret again, which the history probe refuses to see valid
  'repeat-secret': ['regen.second-differs', 'regen.history-earlier-refused'],
  'undocumented-field': ['regen.no-extra-fields'],
  'older-secret-revived': ['regen.history-earlier-refused'],
  'new-secret-works-once': ['regen.new-secret-durable'],
  'race-both-valid': ['regen.race-one-valid'],
  'weak-secrets': ['regen.strong-secrets'],
  // both probes send no Authorization header
  'missing-auth-403': ['auth.missing', 'auth.before-body'],
  'basic-scheme-accepted': ['auth.basic'],
  'body-before-auth': ['auth.before-body'],
  // a rotated-away secret is an unknown bearer
  'unknown-bearer-wrong-code': ['auth.unknown-bearer', 'regen.old-secret-rejected', 'regen.history-earlier-refused', 'regen.race-one-valid'],
  'expired-token-accepted': ['state.expired'],
  'network-ignored': ['state.network'],
  'network-detail-no-ip': ['state.network'],
  'capabilities-ignored': ['state.capabilities'],
  'scope-ignored': ['state.scope'],
  'scope-detail-wrong': ['state.scope'],
  'permission-ignored': ['state.permission'],
  'error-leaks-secret': ['all.no-secret-leak'],
  'secret-in-403-header': ['all.no-secret-in-headers'],
  'not-found-500': ['notfound', 'all.no-5xx'],
  'error-detail-null': ['all.flat-error-shape'],
  'validation-errors-empty': ['state.validation'],
  'validation-ignored': ['state.validation'],
  'bad-input-empty-object-404': ['bad.empty-object'],
  'bad-input-empty-token-404': ['bad.empty-token'],
  'bad-input-string-token-500': ['bad.string-token', 'all.no-5xx'],
  'bad-input-numeric-id-coerced': ['bad.numeric-id'],
  'bad-input-not-json-500': ['bad.not-json', 'all.no-5xx'],
  'bad-input-no-body-500': ['bad.no-body', 'all.no-5xx'],
  'rate-limit-ignored': ['state.rate-limit'],
  'rate-limit-total-wrong': ['state.rate-limit'],
  'unavailable-500': ['state.unavailable', 'all.no-5xx'],
  'error-text-content-type': ['all.json-content-type'],
  'error-missing-description': ['all.flat-error-shape'],
  'wrapped-errors': ['all.flat-error-shape'],
  'error-latin1': ['all.utf8'],
  'state-endpoint-500': ['states.arrangeable'],
  'state-missing-bearer': ['states.arrangeable'],
};

test('every fault has an expectation, a one-line description and a status or outcome', () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), [...FAULT_NAMES].sort());
  for (const name of FAULT_NAMES) {
    const info = FAULTS[name];
    assert.ok(info.description.length > 10 && !info.description.includes('\n'), name);
    assert.ok(['failure', 'warning', 'not_arranged'].includes(info.outcome), name);
    assert.ok(info.status === null || [200, 400, 403, 404, 422, 429, 503].includes(info.status), name);
  }
  assert.equal(FAULTS['undocumented-field'].outcome, 'warning');
  assert.equal(FAULTS['state-endpoint-500'].outcome, 'not_arranged');
});

test('fault flags: one per fault, only the named ones set', () => {
  const none = faultFlags([]);
  assert.equal(Object.keys(none).length, FAULT_NAMES.length);
  assert.ok(Object.values(none).every((v) => v === false));
  const some = faultFlags(['missing-auth-403', 'bad-input-no-body-500']);
  assert.deepEqual(Object.entries(some).filter(([, v]) => v).map(([k]) => k).sort(), ['badInputNoBody500', 'missingAuth403']);
  assert.throws(() => parseFaults(['secret-empty', 'nope', 'also-nope']), /unknown faults "nope", "also-nope"/);
  assert.deepEqual(parseFaults(['secret-empty', 'secret-empty']), ['secret-empty']);
});

test('the clean mock breaks no behaviour and arranges everything', async () => {
  assert.deepEqual(await survey([]), { broken: [], notArranged: [] });
});

describe('each fault breaks exactly the behaviour it names', () => {
  for (const fault of FAULT_NAMES) {
    test(fault, async () => {
      const result = await survey([fault]);
      assert.deepEqual(result.broken, [...EXPECTED[fault]].sort(), `behaviours broken by ${fault}`);
      const stateFault = FAULTS[fault].outcome === 'not_arranged';
      assert.deepEqual(result.notArranged, stateFault ? [...STATEFUL_BEHAVIOURS].sort() : [], `behaviours not arranged under ${fault}`);
    });
  }
});
