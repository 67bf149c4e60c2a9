/**
 * Proof that the suite catches what it claims: each fault of the reference
 * mock breaks one documented behaviour, and the run against it must fail
 * exactly the scenarios that check that behaviour — no more, no fewer — with
 * a message that says what was expected, what came back and where. The clean
 * mock must pass everything.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { runCatalogue } from '../../src/runner/run-catalogue.ts';
import { FAULTS, type FaultName } from '../../src/mock/faults.ts';
import type { ScenarioResult } from '../../src/engine/run-scenario.ts';
import { startMockTarget } from '../support/in-process-target.ts';
const { catalogue } = regenerateSecret;

const ALL_200 = catalogue.filter((c) => c.status === 200).map((c) => c.id);
const HISTORY = '200-every-earlier-secret-refused';
const DURABLE = '200-new-secret-keeps-authenticating';
const RACE = '200-racing-regenerations-one-winner';
/** Scenarios whose follow-ups ask for an id that does not exist (a 404 proves the secret authenticated without changing anything). */
const PROBE_UNKNOWN_IDS = ['200-new-secret-authenticates', HISTORY, DURABLE, RACE];
/** Scenarios in which some response is an error: a fault in every error body shows in all of them. */
const WITH_ERROR_RESPONSES = catalogue.filter((c) => c.status >= 400).map((c) => c.id).concat(['200-old-secret-rejected', '200-new-secret-authenticates', HISTORY, DURABLE, RACE]);
const STATEFUL = catalogue.filter((c) => c.state !== null).map((c) => c.id);

/** fault → the scenarios that must fail (or, for state faults, be not arranged) against it. */
const EXPECTED: Record<FaultName, { failed?: string[]; notArranged?: string[]; message?: RegExp | RegExp[] }> = {
  'secret-not-renewed': { failed: ALL_200, message: /same as the secret before regeneration/ },
  'secret-empty': { failed: ALL_200, message: /non-empty string, received an empty string/ },
  'token-id-mismatch': { failed: ALL_200, message: /api_token\.id must be the requested id/ },
  'token-field-changed': { failed: ALL_200, message: /api_token\.name changed on regeneration/ },
  // Every earlier secret stays valid: the history sees it, and the race ends with more than one.
  'old-secret-still-valid': { failed: ['200-old-secret-rejected', HISTORY, RACE], message: /expected status 403 \(invalid_api_token\), received 200/ },
  // No answered secret ever works: whatever uses one fails.
  'new-secret-not-stored': { failed: ['200-new-secret-authenticates', HISTORY, DURABLE, RACE], message: /received 403 invalid_api_token, which this call must not get/ },
  // Every regeneration after the first answers the first one's secret: so do the history's and the racers'.
  'repeat-secret': { failed: ['200-second-regeneration', HISTORY, RACE], message: /same as the secret of the first regeneration/ },
  'older-secret-revived': { failed: [HISTORY], message: /after regeneration 3, the secret before regeneration is not refused \(answered 404 api_token_not_found\); every earlier secret of the token must stay refused/ },
  'new-secret-works-once': { failed: [DURABLE], message: /received 403 invalid_api_token, which this call must not get/ },
  'race-both-valid': { failed: [RACE], message: /after two regenerations sent at once, 3 secrets authenticate \(.*\); exactly one may: the winner's\. racing regeneration 1 answered 200 at \d\d:\d\d:\d\d\.\d+Z \(after \d+ ms\); racing regeneration 2 answered 200 at / },
  // A warning by default; SECRET_STRENGTH=fail below.
  'weak-secrets': { failed: [] },
  'undocumented-field': { failed: [] },
  'missing-auth-403': { failed: ['400-no-authorization', '400-no-authorization-empty-body'], message: /expected status 400 \(missing_api_token\), received 403/ },
  'basic-scheme-accepted': { failed: ['400-non-bearer-scheme'], message: /expected status 400/ },
  'body-before-auth': { failed: ['400-no-authorization-empty-body'], message: /expected status 400 \(missing_api_token\), received 422/ },
  // A rotated-away secret is an unknown bearer: refused with the wrong code wherever one is tried.
  'unknown-bearer-wrong-code': { failed: ['403-invalid_api_token-unknown-bearer', '200-old-secret-rejected', HISTORY, RACE], message: /expected code invalid_api_token, received "permission_denied"/ },
  'expired-token-accepted': { failed: ['403-invalid_api_token-expired'], message: /expected status 403 \(invalid_api_token\), received 200/ },
  'network-ignored': { failed: ['403-unauthorized_network_for_api_token'] },
  'network-detail-no-ip': { failed: ['403-unauthorized_network_for_api_token'], message: /detail\.ip_address/ },
  'capabilities-ignored': { failed: ['403-invalid_capabilities_token'] },
  'scope-ignored': { failed: ['403-scope_not_granted'] },
  'scope-detail-wrong': { failed: ['403-scope_not_granted'], message: /detail\.scopes must name the missing scope api_tokens/ },
  'permission-ignored': { failed: ['403-permission_denied'] },
  'error-leaks-secret': { failed: ['403-invalid_api_token-expired'], message: /contains a secret the suite holds/ },
  'secret-in-403-header': { failed: ['403-invalid_api_token-expired'], message: /the response header www-authenticate carries a secret the suite holds \(base64; the value is not shown\)/ },
  'not-found-500': { failed: ['404-api_token_not_found', ...PROBE_UNKNOWN_IDS], message: /Received: 500 \/ Documented: 200, 400, 403, 404, 422, 429, 503/ },
  'error-detail-null': { failed: ['404-api_token_not_found', ...PROBE_UNKNOWN_IDS], message: /detail/ },
  'validation-errors-empty': { failed: ['422-validation_error'], message: /detail\.errors must be a non-empty array of strings, received \[\]/ },
  'validation-ignored': { failed: ['422-validation_error'] },
  'bad-input-empty-object-404': { failed: ['422-bad-input-empty-object'], message: /expected status 400 or 422/ },
  'bad-input-empty-token-404': { failed: ['422-bad-input-empty-api-token'] },
  'bad-input-string-token-500': { failed: ['422-bad-input-string-api-token'] },
  'bad-input-numeric-id-coerced': { failed: ['422-bad-input-numeric-id'] },
  'bad-input-not-json-500': { failed: ['422-bad-input-not-json'] },
  'bad-input-no-body-500': { failed: ['422-bad-input-no-body'] },
  'rate-limit-ignored': { failed: ['429-rate_limit_reached'] },
  'rate-limit-total-wrong': { failed: ['429-rate_limit_reached'], message: /total_permitted must equal the state's total_permitted/ },
  'unavailable-500': { failed: ['503-service_unavailable'], message: /Received: 500/ },
  'error-text-content-type': { failed: WITH_ERROR_RESPONSES, message: /expected Content-Type application\/json, received "text\/plain/ },
  'error-missing-description': { failed: WITH_ERROR_RESPONSES, message: /description/ },
  'error-latin1': { failed: WITH_ERROR_RESPONSES, message: [/the Content-Type declares charset "iso-8859-1"/, /the body is not valid UTF-8: the first invalid byte is at offset \d+ \(0xE9\)/] },
  'wrapped-errors': { failed: WITH_ERROR_RESPONSES, message: /ERROR_ENVELOPE=wrapped/ },
  'state-endpoint-500': { notArranged: STATEFUL },
  'state-missing-bearer': { notArranged: STATEFUL },
};

const ids = (results: ScenarioResult[], outcome: string) => results.filter((r) => r.outcome === outcome).map((r) => r.id).sort();

test('every fault of the mock has an expectation here, and every scenario is proven by at least one fault', () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(FAULTS).sort());
  const proven = new Set(Object.values(EXPECTED).flatMap((e) => e.failed ?? []));
  for (const c of catalogue) assert.ok(proven.has(c.id), `no fault proves scenario ${c.id}`);
});

test('the clean mock passes every scenario with no warnings', async () => {
  const t = await startMockTarget();
  try {
    const results = await runCatalogue(t.target, regenerateSecret);
    for (const r of results) assert.equal(r.outcome, 'passed', `${r.id}: ${JSON.stringify(r.findings, null, 1)}`);
    assert.equal(results.length, catalogue.length);
    assert.deepEqual(results.flatMap((r) => r.findings), []);
  } finally {
    await t.close();
  }
});

describe('each fault fails exactly the scenarios that check it', () => {
  for (const [fault, expected] of Object.entries(EXPECTED) as [FaultName, (typeof EXPECTED)[FaultName]][]) {
    test(fault, async () => {
      const t = await startMockTarget({ faults: [fault] });
      try {
        const results = await runCatalogue(t.target, regenerateSecret);
        const failed = ids(results, 'failed');
        assert.deepEqual(failed, [...(expected.failed ?? [])].sort(), `failed scenarios against fault ${fault}`);
        assert.deepEqual(ids(results, 'not_arranged'), [...(expected.notArranged ?? [])].sort(), `not arranged against fault ${fault}`);
        for (const r of results.filter((x) => x.outcome === 'failed')) {
          const errors = r.findings.filter((f) => f.severity === 'error');
          assert.ok(errors.length > 0, `${r.id} failed without an error finding`);
          // Each failure says where (which request, and a path or the status) and what was expected or received.
          for (const f of errors) {
            assert.ok(f.exchange, `${r.id}/${f.check}: the finding names no request`);
            assert.ok(f.expected !== undefined || f.actual !== undefined || /received|Received/.test(f.message), `${r.id}/${f.check}: "${f.message}" says neither what was expected nor what came back`);
          }
        }
        const messages = results.flatMap((r) => r.findings.map((f) => f.message));
        for (const pattern of [expected.message ?? []].flat()) {
          assert.ok(messages.some((m) => pattern.test(m)), `no message matches ${pattern} in:\n${messages.join('\n')}`);
        }
        if (fault === 'weak-secrets') {
          const warnings = results.flatMap((r) => r.findings.filter((f) => f.severity === 'warning' && f.check === 'secret_strength').map((f) => ({ id: r.id, message: f.message })));
          assert.deepEqual([...new Set(warnings.map((w) => w.id))], [HISTORY], 'the strength warning belongs to the history scenario');
          assert.equal(warnings.length, 3, 'one warning per issued secret');
          assert.match(warnings[0]!.message, /issued by "regeneration 1" looks guessable: 13 characters, fewer than 16; an estimated \d+ bits of entropy .*fewer than 128; .*counter step of \+\d+/);
        }
        if (fault === 'undocumented-field') {
          const warnings = results.flatMap((r) => r.findings.filter((f) => f.severity === 'warning'));
          assert.ok(warnings.some((w) => w.check === 'undocumented_fields' && /created_at/.test(w.message + w.instancePath)), 'the extra field is reported as a warning');
        }
        for (const r of results.filter((x) => x.outcome === 'not_arranged')) assert.match(r.reason ?? '', /state "/);
        // Nothing a fault makes the mock say may leak a secret into the results.
        const dump = JSON.stringify(results);
        for (const s of t.mock.issuedSecrets()) assert.ok(!dump.includes(s), `a secret issued by the mock appears in the results of ${fault}`);
      } finally {
        await t.close();
      }
    });
  }
});

test('SECRET_STRENGTH=fail: short sequential secrets fail the history scenario only, naming the figures', async () => {
  const t = await startMockTarget({ faults: ['weak-secrets'] });
  try {
    const results = await runCatalogue({ ...t.target, secretStrength: 'fail' }, regenerateSecret);
    assert.deepEqual(ids(results, 'failed'), [HISTORY]);
    const errors = results.find((r) => r.id === HISTORY)!.findings.filter((f) => f.severity === 'error');
    assert.deepEqual([...new Set(errors.map((f) => f.check))], ['secret_strength']);
    assert.match(errors[0]!.message, /13 characters, fewer than 16/);
    assert.deepEqual(errors[0]!.expected, 'at least 16 characters and 128 estimated bits, not continuing the previous secret');
    // The clean mock's secrets are strong: nothing fails with SECRET_STRENGTH=fail either.
    const clean = await startMockTarget();
    try {
      const cleanResults = await runCatalogue({ ...clean.target, secretStrength: 'fail' }, regenerateSecret);
      assert.deepEqual(ids(cleanResults, 'failed'), []);
    } finally {
      await clean.close();
    }
  } finally {
    await t.close();
  }
});

describe('targets without states', () => {
  let t: Awaited<ReturnType<typeof startMockTarget>>;
  before(async () => {
    t = await startMockTarget({}, 'flat', false);
  });
  after(() => t.close());

  test('BASE_URL alone runs the four state-free scenarios and skips the rest with the setting that would enable them', async () => {
    const results = await runCatalogue(t.target, regenerateSecret);
    assert.deepEqual(ids(results, 'passed'), ['400-no-authorization', '400-no-authorization-empty-body', '400-non-bearer-scheme', '403-invalid_api_token-unknown-bearer']);
    const skipped = results.filter((r) => r.outcome === 'skipped');
    assert.equal(skipped.length, catalogue.length - 4);
    for (const s of skipped) assert.match(s.reason ?? '', /STATE_URL/);
  });
});
