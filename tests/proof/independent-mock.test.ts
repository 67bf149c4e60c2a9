/**
 * The suite judges the contract, not its own reference mock: the real
 * `playwright test` run against an independently written vendor mock
 * (tests/support/independent-vendor-mock.ts: other paths, ids, secrets,
 * self-regeneration, OAuth2 scope form, IPv4-mapped IPv6 caller address,
 * its own capabilities header, null optional fields, extra fields, no
 * charset) passes every scenario with warnings only; the same mock with one
 * planted violation fails exactly the matching scenario and exits non-zero.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { runSuite, type SuiteRun } from '../support/run-suite.ts';
import { startIndependentMock, type IndependentMock, type IndependentMockBug } from '../support/independent-vendor-mock.ts';
const { catalogue } = regenerateSecret;

const outcomeOf = (run: SuiteRun, outcome: string): string[] =>
  run
    .json()
    .scenarios.filter((s: any) => s.outcome === outcome)
    .map((s: any) => s.id)
    .sort();

describe('an independently written vendor mock that conforms', () => {
  let mock: IndependentMock;
  let run: SuiteRun;
  before(async () => {
    mock = await startIndependentMock();
    run = await runSuite({ BASE_URL: mock.baseUrl, STATE_URL: mock.stateUrl });
  });
  after(() => mock.close());

  test('exits 0 with verdict pass, through its own base path and state endpoint', () => {
    assert.equal(run.code, 0, run.output);
    const report = run.json();
    assert.equal(report.verdict, 'pass');
    assert.equal(report.mode, 'state');
    assert.equal(report.target, mock.baseUrl);
    assert.match(mock.baseUrl, /\/api\/core\/v1$/);
  });

  test('every scenario of the catalogue ran and passed, with no failure message', () => {
    const scenarios = run.json().scenarios as any[];
    assert.deepEqual(scenarios.map((s) => s.id).sort(), catalogue.map((c) => c.id).sort());
    for (const s of scenarios) {
      assert.equal(s.outcome, 'passed', `${s.id}: ${s.messages.join('; ')}`);
      assert.deepEqual(s.messages, [], s.id);
    }
  });

  test('undocumented fields are reported as warnings only, where they occur', () => {
    const byId = new Map((run.json().scenarios as any[]).map((s) => [s.id, s]));
    const warns = (id: string) => (byId.get(id).warnings as string[]).join('\n');
    for (const id of ['200-regenerates-secret', '200-old-secret-rejected', '200-new-secret-authenticates', '200-second-regeneration']) {
      assert.match(warns(id), /\/api_token\/created_at is not a documented field/, id);
      assert.match(warns(id), /\/api_token\/last_used_at is not a documented field/, id);
    }
    assert.match(warns('429-rate_limit_reached'), /\/detail\/resets_at is not a documented field/);
    assert.match(warns('503-service_unavailable'), /\/retry_after is not a documented field/);
    // A 400 with a code other than validation_error for bad input is allowed, with a warning.
    assert.match(warns('422-bad-input-not-json'), /400 bad_request/);
    // The null optional fields, the OAuth2 scope form and the IPv4-mapped address draw nothing.
    for (const id of ['403-scope_not_granted', '403-unauthorized_network_for_api_token', '400-no-authorization']) assert.deepEqual(byId.get(id).warnings, [], id);
  });

  test('every setup was torn down: the mock holds no token afterwards', () => {
    assert.equal(mock.tokenCount(), 0);
  });
});

describe('the same mock with one planted violation', () => {
  const cases: { bug: IndependentMockBug; failed: string[]; message: RegExp }[] = [
    // Every earlier secret keeps working: the token's history and the race see it as well.
    { bug: 'old-secret-still-works', failed: ['200-every-earlier-secret-refused', '200-old-secret-rejected', '200-racing-regenerations-one-winner'], message: /\[status_expected\] expected status 403 \(invalid_api_token\), received 200[\s\S]*follow-up with the old secret/ },
    { bug: 'scope-detail-missing-scope', failed: ['403-scope_not_granted'], message: /detail\.scopes must name the missing scope api_tokens/ },
    { bug: 'not-json-500', failed: ['422-bad-input-not-json'], message: /\[status_expected\] expected status 400 or 422 \(validation_error\), received 500/ },
    { bug: 'secret-echoed-in-error', failed: ['403-invalid_api_token-expired'], message: /\[no_secret_in_error\]/ },
  ];
  const runs = new Map<IndependentMockBug, SuiteRun>();
  const mocks: IndependentMock[] = [];
  before(async () => {
    await Promise.all(
      cases.map(async ({ bug }) => {
        const mock = await startIndependentMock({ bug });
        mocks.push(mock);
        runs.set(bug, await runSuite({ BASE_URL: mock.baseUrl, STATE_URL: mock.stateUrl }));
      }),
    );
  });
  after(() => Promise.all(mocks.map((m) => m.close())));

  for (const { bug, failed, message } of cases) {
    test(`${bug}: fails exactly ${failed.join(', ')} and exits non-zero`, () => {
      const run = runs.get(bug)!;
      assert.notEqual(run.code, 0, run.output);
      const report = run.json();
      assert.equal(report.verdict, 'fail');
      assert.deepEqual(outcomeOf(run, 'failed'), failed);
      assert.deepEqual(outcomeOf(run, 'passed'), catalogue.map((c) => c.id).filter((id) => !failed.includes(id)).sort());
      const messages = report.scenarios.filter((s: any) => failed.includes(s.id)).flatMap((s: any) => s.messages).join('\n');
      assert.match(messages, message);
    });
  }
});
