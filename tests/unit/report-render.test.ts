import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideVerdict, countOutcomes, type RunModel, type ScenarioReport } from '../../src/report/model.ts';
import { renderHtml } from '../../src/report/render-html.ts';
import { renderJson } from '../../src/report/render-json.ts';

const scenario = (over: Partial<ScenarioReport>): ScenarioReport => ({
  id: 's', operation: { id: 'post:x', method: 'POST', path: '/api_tokens/api_token/regenerate_secret' }, title: 't', status: 403, variant: 'invalid_api_token', kind: 'status', outcome: 'passed', messages: [], warnings: [], findings: [], exchanges: [], durationMs: 3, ...over,
});

function model(scenarios: ScenarioReport[], errors: string[] = []): RunModel {
  const { verdict, reason } = decideVerdict(scenarios, errors);
  return {
    verdict, verdictReason: reason,
    operations: [{ id: 'post:x', method: 'POST', path: '/api_tokens/api_token/regenerate_secret' }],
    target: { baseUrl: 'http://127.0.0.1:1/core/v1', mode: 'bundled', modeLabel: 'bundled reference mock', stateArrangement: 'provider-state endpoint', envelope: 'flat', profile: 'strict' },
    startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', durationMs: 1000,
    counts: countOutcomes(scenarios),
    matrix: [
      { operationId: 'post:x', status: 403, variant: 'invalid_api_token', label: 'InvalidAPITokenSchema', scenarioIds: scenarios.map((s) => s.id) },
      { operationId: 'post:x', status: 403, variant: 'permission_denied', label: 'PermissionDeniedSchema', scenarioIds: [] },
    ],
    scenarios, errors,
  };
}

test('verdict: pass needs something passed and nothing failed or unarranged', () => {
  assert.equal(decideVerdict([scenario({})], []).verdict, 'pass');
  assert.equal(decideVerdict([scenario({ outcome: 'skipped' })], []).verdict, 'fail');
  assert.match(decideVerdict([scenario({ outcome: 'skipped' })], []).reason, /no scenario ran/);
  assert.equal(decideVerdict([], []).verdict, 'fail');
  assert.equal(decideVerdict([scenario({}), scenario({ id: 'b', outcome: 'not_arranged' })], []).verdict, 'fail');
  assert.equal(decideVerdict([scenario({}), scenario({ id: 'b', outcome: 'inconclusive' })], []).verdict, 'pass');
  assert.equal(decideVerdict([scenario({})], ['BASE_URL: nothing answers']).verdict, 'fail');
});

test('the HTML shows verdict, matrix, expected vs actual and schema path, escaped', () => {
  const failed = scenario({
    id: 'net', outcome: 'failed', messages: ['m'],
    findings: [{ check: 'schema', severity: 'error', message: 'ip must be <string>', expected: 'string', actual: 5, instancePath: '/detail/ip_address', schemaPath: '#/oneOf[UnauthorizedNetworkForAPITokenSchema]/properties/detail' }],
  });
  const html = renderHtml(model([scenario({ id: 'ok', warnings: ['extra field'] , findings: [{ check: 'undocumented_fields', severity: 'warning', message: 'extra field' }] }), failed]));
  assert.match(html, /<strong>FAIL<\/strong>/);
  assert.match(html, /1 scenario failed/);
  assert.match(html, /ip must be &lt;string&gt;/);
  assert.match(html, /\/detail\/ip_address/);
  assert.match(html, /#\/oneOf\[UnauthorizedNetworkForAPITokenSchema\]/);
  assert.match(html, /no scenario<\/span> nothing in the catalogue covers this/);
  assert.match(html, /Warnings \(1\)/);
  assert.ok(!/<script|<link|src="http/.test(html), 'self-contained: no scripts or external resources');
});

test('inconclusive scenarios are called out, skips carry their reason', () => {
  const html = renderHtml(model([scenario({}), scenario({ id: 'i', outcome: 'inconclusive', reason: 'met 429 outside the rate-limit scenario' }), scenario({ id: 'k', outcome: 'skipped', reason: 'needs STATE_URL' })]));
  assert.match(html, /Inconclusive \(1\)/);
  assert.match(html, /met 429 outside/);
  assert.match(html, /needs STATE_URL/);
});

test('the JSON has the contract shape', () => {
  const out = JSON.parse(renderJson(model([scenario({ warnings: ['w'] })])));
  assert.equal(out.verdict, 'pass');
  assert.equal(out.target, 'http://127.0.0.1:1/core/v1');
  const [s] = out.scenarios;
  for (const key of ['id', 'title', 'status', 'variant', 'outcome', 'messages', 'warnings']) assert.ok(key in s, key);
  assert.deepEqual(s.warnings, ['w']);
});

test('verdict: waived does not fail the gate, flaky fails unless allowed, a shard leaves coverage to the merge', () => {
  assert.equal(decideVerdict([scenario({}), scenario({ id: 'w', outcome: 'waived' })], []).verdict, 'pass');
  assert.match(decideVerdict([scenario({}), scenario({ id: 'w', outcome: 'waived' })], []).reason, /1 waived/);
  const flaky = [scenario({}), scenario({ id: 'f', outcome: 'flaky' })];
  assert.equal(decideVerdict(flaky, []).verdict, 'fail');
  assert.match(decideVerdict(flaky, []).reason, /CONFORMANCE_ALLOW_FLAKY=true/);
  assert.equal(decideVerdict(flaky, [], { allowFlaky: true }).verdict, 'pass');
  assert.equal(decideVerdict([scenario({ outcome: 'failed' }), scenario({ id: 'f', outcome: 'flaky' })], [], { allowFlaky: true }).verdict, 'fail');
  const shard = decideVerdict([scenario({})], [], { shard: { current: 1, total: 2 } });
  assert.equal(shard.verdict, 'pass');
  assert.match(shard.reason, /^all 1 scenarios of this shard passed; coverage is judged when the shards are merged/);
});

test('the renderers handle every outcome and verdict', () => {
  const outcomes = ['passed', 'failed', 'skipped', 'not_arranged', 'inconclusive', 'waived', 'flaky'] as const;
  const all = outcomes.map((o) => scenario({ id: `s-${o}`, outcome: o, reason: o === 'passed' ? undefined : `because ${o}` }));
  const m = model(all);
  const html = renderHtml(m);
  for (const o of outcomes) assert.match(html, new RegExp(`badge ${o}`), o);
  const incomplete = { ...m, verdict: 'incomplete' as const, verdictReason: 'below the requirement' };
  assert.match(renderHtml(incomplete), /class="verdict incomplete"><strong>INCOMPLETE<\/strong>/);
  const json = JSON.parse(renderJson(incomplete));
  assert.equal(json.verdict, 'incomplete');
  assert.deepEqual(Object.keys(json.counts).sort(), [...outcomes].sort());
});
