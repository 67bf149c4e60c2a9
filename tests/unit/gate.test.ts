/**
 * Issue 8's gate, piece by piece: the settings, coverage, the JUnit file, the
 * configuration hint, shard names, and the leak scan by salted digest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGateSettings } from '../../src/config/gate.ts';
import { computeCoverage, RUN_STOPPED_REASON } from '../../src/report/coverage.ts';
import { decideVerdict, type MatrixRow, type RunModel, type ScenarioReport } from '../../src/report/model.ts';
import { renderJunit } from '../../src/report/render-junit.ts';
import { configurationHints } from '../../src/report/hints.ts';
import { shardFileName, shardFromArgv } from '../../src/report/shard.ts';
import { DigestMatcher, parseDigestFile, toDigestFile, CombinedMatcher } from '../../src/leak/digests.ts';
import { scanForSecrets, SecretMatcher } from '../../src/leak/scan.ts';

const OP = { id: 'op', method: 'POST' as const, path: '/x' };
const s = (over: Partial<ScenarioReport>): ScenarioReport => ({ id: 'a', operation: OP, title: 't', status: 403, variant: 'invalid_api_token', kind: 'status', outcome: 'passed', messages: [], warnings: [], findings: [], exchanges: [], durationMs: 1, ...over });
const matrix: MatrixRow[] = [
  { operationId: 'op', status: 200, variant: null, label: 'ok', scenarioIds: ['ok'] },
  { operationId: 'op', status: 403, variant: 'invalid_api_token', label: 'x', scenarioIds: ['a'] },
  { operationId: 'op', status: 403, variant: 'permission_denied', label: 'y', scenarioIds: ['b'] },
];

test('gate settings: defaults, valid values, and one message naming the variable for a bad one', () => {
  assert.deepEqual(loadGateSettings({}), { require: 'arrangeable', retries: 0, allowFlaky: false });
  assert.deepEqual(loadGateSettings({ CONFORMANCE_REQUIRE: 'ALL', CONFORMANCE_RETRIES: '2', CONFORMANCE_ALLOW_FLAKY: 'true' }), { require: 'all', retries: 2, allowFlaky: true });
  assert.throws(() => loadGateSettings({ CONFORMANCE_REQUIRE: 'most' }), /CONFORMANCE_REQUIRE="most" is not known/);
  assert.throws(() => loadGateSettings({ CONFORMANCE_RETRIES: '-1' }), /CONFORMANCE_RETRIES="-1"/);
  assert.throws(() => loadGateSettings({ CONFORMANCE_RETRIES: '99' }), /CONFORMANCE_RETRIES/);
  assert.throws(() => loadGateSettings({ CONFORMANCE_ALLOW_FLAKY: 'maybe' }), /CONFORMANCE_ALLOW_FLAKY="maybe"/);
});

test('coverage: what the mode cannot arrange is excused under arrangeable, not under all; a filtered scenario never is (but none judges only what ran)', () => {
  const unarrangeable = [s({ id: 'ok', status: 200, variant: null }), s({}), s({ id: 'b', outcome: 'skipped', reason: 'needs a state', notCovered: 'unarrangeable' })];
  const arrangeable = computeCoverage(unarrangeable, matrix, 'arrangeable');
  assert.equal(arrangeable.met, true);
  assert.equal(arrangeable.ran, 2);
  assert.equal(arrangeable.variantsProven, 1);
  assert.equal(arrangeable.variants, 2);
  assert.equal(decideVerdict(unarrangeable, [], { coverage: arrangeable }).verdict, 'pass');
  const all = computeCoverage(unarrangeable, matrix, 'all');
  assert.equal(all.met, false);
  assert.equal(decideVerdict(unarrangeable, [], { coverage: all }).verdict, 'incomplete');
  assert.match(all.summary, /b: needs a state/);
  const filtered = [s({ id: 'ok', status: 200, variant: null }), s({}), s({ id: 'b', outcome: 'skipped', reason: 'not selected by this run', notCovered: 'not_run' })];
  const f = computeCoverage(filtered, matrix, 'arrangeable');
  assert.equal(f.met, false);
  assert.match(f.summary, /run without the -g\/--grep/);
  assert.equal(computeCoverage(filtered, matrix, 'none').met, true);
  // A failure still fails, whatever the coverage.
  assert.equal(decideVerdict([...filtered.slice(0, 2), s({ id: 'b', outcome: 'failed' })], [], { coverage: f }).verdict, 'fail');
});

test('coverage counts a status per operation: the same status of two operations is two to prove', () => {
  const two: MatrixRow[] = [
    { operationId: 'op', status: 400, variant: null, label: 'x', scenarioIds: ['p'] },
    { operationId: 'other', status: 400, variant: null, label: 'y', scenarioIds: ['q'] },
  ];
  const c = computeCoverage([s({ id: 'p', status: 400, variant: null }), s({ id: 'q', status: 400, variant: null, outcome: 'failed' })], two, 'arrangeable');
  assert.equal(c.statuses, 2);
  assert.equal(c.statusesProven, 1);
  assert.match(c.summary, /1 of 2 documented statuses of 2 operations/);
  // One operation: the words of a one-operation run are unchanged.
  assert.match(computeCoverage([s({ id: 'ok', status: 200, variant: null })], matrix, 'arrangeable').summary, /documented statuses and/);
});

test('coverage of a run that stopped before any scenario: it says so, and blames no filter', () => {
  const stopped = [s({ id: 'ok', status: 200, variant: null, outcome: 'skipped', reason: RUN_STOPPED_REASON, notCovered: 'not_run' }), s({ outcome: 'skipped', reason: RUN_STOPPED_REASON, notCovered: 'not_run' })];
  const c = computeCoverage(stopped, matrix, 'arrangeable');
  assert.equal(c.met, false);
  assert.match(c.summary, /^the run stopped before any scenario ran; 0 of 2 scenarios/);
  assert.match(c.summary, /fix the error the run stopped on/);
  assert.doesNotMatch(c.summary, /grep/);
});

function model(scenarios: ScenarioReport[], over: Partial<RunModel> = {}): RunModel {
  const coverage = computeCoverage(scenarios, matrix, 'arrangeable');
  const { verdict, reason } = decideVerdict(scenarios, [], { coverage });
  return {
    verdict, verdictReason: reason, coverage, operations: [{ ...OP, title: 'op' }],
    target: { baseUrl: 'http://127.0.0.1:9/core', mode: 'state', modeLabel: 'm', stateArrangement: 's', envelope: 'flat', profile: 'p' },
    startedAt: 'now', finishedAt: 'now', durationMs: 1000, counts: {} as any, matrix, scenarios, errors: [], ...over,
  };
}

test('junit: failures are <failure>, not arranged <error>, skipped and waived <skipped> with the reason, flaky a flakyFailure', () => {
  const xml = renderJunit(model([
    s({ id: 'ok', outcome: 'passed' }),
    s({ id: 'f', outcome: 'failed', messages: ['[status] expected 403, received 200 <&>'] }),
    s({ id: 'n', outcome: 'not_arranged', reason: 'state endpoint 500', messages: ['not arranged: state endpoint 500'] }),
    s({ id: 'k', outcome: 'skipped', reason: 'needs STATE_URL', notCovered: 'unarrangeable' }),
    s({ id: 'w', outcome: 'waived', reason: 'vendor ticket 12, until 2027-01-01' }),
    s({ id: 'y', outcome: 'flaky', attempts: 2, messages: ['[status] 500 once'] }),
  ]));
  assert.match(xml, /<testsuites name="conformance" tests="6" failures="2" errors="1" skipped="2"/);
  assert.match(xml, /<failure message="\[status\] expected 403, received 200 &lt;&amp;&gt;" type="conformance">/);
  assert.match(xml, /<error message="not arranged: state endpoint 500" type="not_arranged">/);
  assert.match(xml, /<skipped message="needs STATE_URL"\/>/);
  assert.match(xml, /<skipped message="waived: vendor ticket 12, until 2027-01-01"\/>/);
  assert.match(xml, /<failure message="[^"]*" type="flaky">[^<]*<\/failure><flakyFailure message="\[status\] 500 once" type="conformance">/);
  const allowed = renderJunit(model([s({ id: 'y', outcome: 'flaky', messages: ['x'] })]), { allowFlaky: true });
  assert.match(allowed, /failures="0"/);
  assert.match(allowed, /<flakyFailure/);
  const incomplete = renderJunit(model([s({ id: 'ok' }), s({ id: 'b', outcome: 'skipped', reason: 'filtered', notCovered: 'not_run' })]));
  assert.match(incomplete, /<failure message="[^"]*" type="incomplete"/);
});

test("junit: every scenario's testcase names its operation (the classname: method, path, status, variant)", () => {
  const other = { id: 'delete:widget', method: 'DELETE' as const, path: '/widgets/:id' };
  const xml = renderJunit(model([s({ id: 'a' }), s({ id: 'auth-x', operation: other, status: 400, variant: 'missing_api_token' })]));
  assert.match(xml, /<testcase name="a: t" classname="POST \/x 403 invalid_api_token"/);
  assert.match(xml, /<testcase name="auth-x: t" classname="DELETE \/widgets\/:id 400 missing_api_token"/);
});

const exchange = (status: number) => ({ label: 'call', request: 'POST http://h/x', requestHeaders: {}, status, durationMs: 1 });

test('hint: every operation request answered 404 (or one undocumented status) names BASE_URL once; a mixed run gets none', () => {
  const all404 = model([s({ id: 'a', exchanges: [exchange(404), exchange(404)] }), s({ id: 'ok', status: 200, exchanges: [exchange(404)] })]);
  const [hint] = configurationHints(all404);
  assert.match(hint, /^BASE_URL=http:\/\/127\.0\.0\.1:9\/core answered 404 to every one of the 3 operation requests: does it include/);
  assert.match(hint, /\/core\/v1/);
  assert.match(configurationHints(model([s({ id: 'a', exchanges: [exchange(401), exchange(401), exchange(401)] })]))[0], /answered 401, a status the operation does not document/);
  assert.deepEqual(configurationHints(model([s({ id: 'a', exchanges: [exchange(404), exchange(403), exchange(404)] })])), []);
  // 403 is documented: a target answering 403 to everything is judged, not hinted at.
  assert.deepEqual(configurationHints(model([s({ id: 'ok', status: 200, exchanges: [exchange(403), exchange(403), exchange(403)] })])), []);
});

test('shards: read from the command line; their files never share a name', () => {
  assert.deepEqual(shardFromArgv(['node', 'pw', 'test', '--shard=2/3']), { current: 2, total: 3 });
  assert.deepEqual(shardFromArgv(['node', 'pw', 'test', '--shard', '1/2']), { current: 1, total: 2 });
  assert.equal(shardFromArgv(['node', 'pw', 'test']), null);
  assert.equal(shardFromArgv(['node', 'pw', 'test', '--shard=1/1']), null);
  assert.equal(shardFileName('conformance.json', { current: 1, total: 2 }), 'conformance-shard-1-of-2.json');
  assert.equal(shardFileName('conformance.json', null), 'conformance.json');
});

test('leak scan by digest: finds every form of a secret it never holds, holds no secret, and finds nothing in clean text', () => {
  const secret = 'kat_9f8e7d6c5b4a39281706f5e4d3c2b1a0-ZYX';
  const file = parseDigestFile(JSON.stringify(toDigestFile([{ value: secret, source: 'seen by the suite' }, { value: 'short', source: 'x' }], '1/2')), 'd.json');
  const text = JSON.stringify(file);
  assert.ok(!text.includes(secret) && !text.includes(Buffer.from(secret).toString('base64').slice(4, 24)), 'the digest file holds no form of the secret');
  assert.equal(file.secrets.length, 1, 'too-short values are left out as in the scan');
  const matcher = new DigestMatcher([file]);
  for (const [form, encoding] of [
    [`before ${secret} after`, 'as is'],
    [`"${encodeURIComponent(secret + '/')}"`, 'as is'],
    [Buffer.from(`ab${secret}cd`).toString('base64'), 'base64'],
    [Buffer.from(`a${secret}`).toString('base64'), 'base64'],
  ] as const) {
    const hits = matcher.find(Buffer.from(form).toString('latin1'));
    assert.ok(hits.some((h) => h.encoding === encoding), `${encoding} in ${form}`);
  }
  assert.deepEqual(matcher.find('nothing to see here, kat_9f8e7d6c5b4a39281706f5e4d3c2b1a0-ZYW'), []);
  assert.match(matcher.describe(0), /seen by the suite \(shard 1\/2\), 40 characters, sha256 [0-9a-f]{8}/);
  const combined = new CombinedMatcher([new SecretMatcher([{ value: 'another-secret-value', source: 'merge' }]), matcher]);
  const result = scanForSecrets(combined, { texts: [{ label: 'out', text: `x another-secret-value y ${secret}` }] });
  assert.equal(result.hits.length, 2);
  assert.equal(result.secretsSearched, 2);
});
