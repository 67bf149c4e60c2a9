import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Finding } from '../../src/model/finding.ts';
import { applyWaivers, parseWaivers, type WaivableScenario, type Waiver } from '../../src/report/waivers.ts';
import { loadWaivers } from '../../src/report/waivers-file.ts';
import { ConfigError } from '../../src/config/env.ts';

const IDS = ['404-api_token_not_found', '403-scope_not_granted', '503-service_unavailable'];
const err = (check: string): Finding => ({ check, severity: 'error', message: `${check} broke` });
const failed = (id: string, ...checks: string[]): WaivableScenario => ({ id, outcome: 'failed', findings: checks.map(err), messages: checks.map((c) => `[${c}] ${c} broke`) });
const w = (over: Partial<Waiver>): Waiver => ({ scenario: '404-api_token_not_found', reason: 'vendor ticket 12', until: '2026-12-31', ...over });
const TODAY = '2026-06-01';

test('a failure every error of which an unexpired waiver covers is waived, with reason, expiry and link', () => {
  const { scenarios, summary } = applyWaivers([failed('404-api_token_not_found', 'status_documented', 'status_expected')], [w({ link: 'https://tracker/12' })], 'w.json', TODAY);
  assert.equal(scenarios[0].outcome, 'waived');
  assert.match(scenarios[0].reason!, /waived until 2026-12-31: vendor ticket 12 \(https:\/\/tracker\/12\)/);
  assert.equal(scenarios[0].messages.length, 2, 'the findings stay visible');
  assert.equal(summary.uses[0].state, 'applied');
  assert.deepEqual(summary.warnings, []);
});

test('the last day is included; the day after, the failure counts again and says so', () => {
  assert.equal(applyWaivers([failed('404-api_token_not_found', 'x')], [w({ until: TODAY })], 'w.json', TODAY).scenarios[0].outcome, 'waived');
  const { scenarios, summary } = applyWaivers([failed('404-api_token_not_found', 'x')], [w({ until: '2026-05-31' })], 'w.json', TODAY);
  assert.equal(scenarios[0].outcome, 'failed');
  assert.match(scenarios[0].messages.at(-1)!, /expired on 2026-05-31 \("vendor ticket 12"\): this failure counts again/);
  assert.equal(summary.uses[0].state, 'expired');
  assert.match(summary.warnings[0], /expired on 2026-05-31/);
});

test('a waiver for one check never hides another check failing in the same scenario', () => {
  const { scenarios, summary } = applyWaivers([failed('403-scope_not_granted', 'detail_scopes', 'content_type')], [w({ scenario: '403-scope_not_granted', check: 'detail_scopes' })], 'w.json', TODAY);
  assert.equal(scenarios[0].outcome, 'failed');
  assert.match(scenarios[0].messages.at(-1)!, /does not cover the failure of content_type/);
  assert.equal(summary.uses[0].state, 'insufficient');
  // Both checks waived: waived.
  const both = applyWaivers([failed('403-scope_not_granted', 'detail_scopes', 'content_type')], [w({ scenario: '403-scope_not_granted', check: 'detail_scopes' }), w({ scenario: '403-scope_not_granted', check: 'content_type' })], 'w.json', TODAY);
  assert.equal(both.scenarios[0].outcome, 'waived');
});

test('a waiver that matched nothing is a warning saying to remove it; other scenarios are untouched', () => {
  const passed: WaivableScenario = { id: '503-service_unavailable', outcome: 'passed', findings: [], messages: [] };
  const other = failed('404-api_token_not_found', 'status_expected');
  const { scenarios, summary } = applyWaivers([passed, other], [w({ scenario: '503-service_unavailable' }), w({ check: 'detail_scopes' })], 'w.json', TODAY);
  assert.equal(scenarios[0], passed);
  assert.equal(scenarios[1].outcome, 'failed');
  assert.equal(summary.warnings.length, 2);
  assert.match(summary.warnings[0], /503-service_unavailable matched nothing \(the scenario passed: remove the waiver\): remove it/);
  assert.match(summary.warnings[1], /\[detail_scopes\] matched nothing .*status_expected/);
});

test('a failure without a check finding (it stopped, timed out) is never waived', () => {
  const crashed: WaivableScenario = { id: '404-api_token_not_found', outcome: 'failed', findings: [], messages: ['TypeError: boom'] };
  assert.equal(applyWaivers([crashed], [w({})], 'w.json', TODAY).scenarios[0].outcome, 'failed');
  const timedOut = { ...failed('404-api_token_not_found', 'x'), messages: ['[x] x broke', 'the scenario did not finish within its 65000 ms timeout'] };
  assert.equal(applyWaivers([timedOut], [w({})], 'w.json', TODAY).scenarios[0].outcome, 'failed');
});

test('the waivers file: every mistake is one sentence naming the file and the entry', () => {
  const bad = (text: string, pattern: RegExp) => assert.throws(() => parseWaivers(text, 'w.json', IDS), pattern);
  bad('{', /w\.json is not valid JSON/);
  bad('{"x": 1}', /must hold \{"waivers": \[\.\.\.\]\}/);
  bad('[{"scenario": "nope", "reason": "r", "until": "2026-01-01"}]', /waiver 1 names the unknown scenario "nope"/);
  bad('[{"scenario": "404-api_token_not_found", "until": "2026-01-01"}]', /has no "reason"/);
  bad('[{"scenario": "404-api_token_not_found", "reason": "r"}]', /has no "until"/);
  bad('[{"scenario": "404-api_token_not_found", "reason": "r", "until": "2026-02-30"}]', /"2026-02-30" is not a date/);
  bad('[{"scenario": "404-api_token_not_found", "reason": "r", "until": "next week"}]', /is not a date; use YYYY-MM-DD/);
  bad('[{"scenario": "404-api_token_not_found", "reason": "r", "until": "2026-01-01", "untill": 1}]', /unknown field "untill"/);
  bad('[{"scenario": "404-api_token_not_found", "reason": "r", "until": "2026-01-01"}, {"scenario": "404-api_token_not_found", "reason": "s", "until": "2026-01-02"}]', /repeats the waiver/);
  assert.deepEqual(parseWaivers('{"waivers": [{"scenario": "404-api_token_not_found", "check": "status_expected", "reason": " r ", "until": "2026-01-01", "link": "L"}]}', 'w.json', IDS), [
    { scenario: '404-api_token_not_found', check: 'status_expected', reason: 'r', until: '2026-01-01', link: 'L' },
  ]);
});

test('loading: the working directory file when present, CONFORMANCE_WAIVERS must exist, mistakes are ConfigErrors', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'waivers-'));
  assert.equal(loadWaivers(IDS, {}, dir), undefined);
  assert.throws(() => loadWaivers(IDS, { CONFORMANCE_WAIVERS: 'missing.json' }, dir), (e: Error) => e instanceof ConfigError && /CONFORMANCE_WAIVERS=missing\.json: no such file/.test(e.message));
  writeFileSync(path.join(dir, 'conformance.waivers.json'), JSON.stringify({ waivers: [w({})] }));
  assert.deepEqual(loadWaivers(IDS, {}, dir), { source: 'conformance.waivers.json', waivers: [w({})] });
  writeFileSync(path.join(dir, 'other.json'), '[{"scenario": "nope"}]');
  assert.throws(() => loadWaivers(IDS, { CONFORMANCE_WAIVERS: 'other.json' }, dir), (e: Error) => e instanceof ConfigError && /^waivers: other\.json: waiver 1 has no "reason"|unknown scenario/.test(e.message) && !/\n\s+at /.test(e.stack ?? ''));
});
