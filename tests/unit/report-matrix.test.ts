/**
 * The HTML matrix at API scale (pure renderHtml over a canned model of ~780
 * scenarios across 190 operations): one compact row per operation, failing
 * ones first and open, the others collapsed, the deep operation's full table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHtml } from '../../src/report/render-html.ts';
import { renderJson } from '../../src/report/render-json.ts';
import { apiScaleModel, FAILING } from '../support/api-scale-model.ts';

const model = apiScaleModel();
const html = renderHtml(model);
const rows = [...html.matchAll(/<details class="op[^"]*" id="([^"]+)" data-operation="([^"]+)"( open)?>/g)].map((m) => ({ anchor: m[1], id: m[2], open: m[3] !== undefined }));

test('the canned model is whole-API sized', () => {
  assert.equal(model.operations.length, 190);
  assert.ok(model.scenarios.length >= 760, String(model.scenarios.length));
  assert.equal(model.verdict, 'fail');
});

test('one compact row per swept operation, failing operations first and open, every other row collapsed', () => {
  assert.equal(rows.length, 189);
  assert.equal(new Set(rows.map((r) => r.id)).size, 189);
  const failing = new Set(Object.values(FAILING));
  assert.deepEqual(new Set(rows.slice(0, 3).map((r) => r.id)), failing);
  assert.ok(rows.slice(0, 3).every((r) => r.open));
  assert.ok(rows.slice(3).every((r) => !r.open), 'passed operations are collapsed');
  assert.ok(!rows.some((r) => r.id === model.operations[0].id), 'the deep operation has its full table, not a compact row');
});

test('a compact row counts its scenarios by outcome and has a chip per documented status/variant', () => {
  const start = html.indexOf(`data-operation="${FAILING.get401}"`);
  const row = html.slice(start, html.indexOf('</summary>', start));
  assert.match(row, /2 failed · 2 passed/);
  assert.equal((row.match(/class="chip /g) ?? []).length, 3);
  assert.match(row, /class="chip failed"[^>]*>400 missing_api_token</);
  assert.match(row, /class="chip passed"[^>]*>403 invalid_api_token</);
});

test('the deep operation keeps its full matrix, every 403 variant a row', () => {
  const table = html.slice(html.indexOf('<h2 id="matrix">'), html.indexOf('details class="op'));
  for (const v of ['invalid_api_token', 'unauthorized_network_for_api_token', 'invalid_capabilities_token', 'scope_not_granted', 'permission_denied'])
    assert.match(table, new RegExp(`<td><code>${v}</code>`), v);
  assert.match(table, /POST \/api_tokens\/api_token\/regenerate_secret/);
});

test('the failing operations are listed next to the verdict, each linked to its row', () => {
  const line = html.slice(html.indexOf('id="failing-operations"'), html.indexOf('</p>', html.indexOf('id="failing-operations"')));
  assert.match(line, /Failing operations \(3 of 190\)/);
  for (const id of Object.values(FAILING)) {
    const anchor = rows.find((r) => r.id === id)!.anchor;
    assert.ok(line.includes(`href="#${anchor}"`), id);
  }
  assert.ok(html.indexOf('id="failing-operations"') < html.indexOf('<dl class="meta">'), 'before the run details');
});

test('JSON names the operation of every scenario', () => {
  const out = JSON.parse(renderJson(model));
  assert.equal(out.operations.length, 190);
  const ids = new Set(out.operations.map((o: { id: string }) => o.id));
  for (const s of out.scenarios) assert.ok(ids.has(s.operation.id) && s.operation.method && s.operation.path, s.id);
});
