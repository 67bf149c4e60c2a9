import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, REPO_ROOT } from '../../src/config/env.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';

const { catalogue } = regenerateSecret;
import { changesLine, compareWithBaseline, loadBaseline, parseBaseline } from '../../src/report/baseline.ts';
import { collectProvenance } from '../../src/report/provenance.ts';

const provenance = collectProvenance({ root: REPO_ROOT, specsDir: path.join(REPO_ROOT, 'specs'), catalogue });
const report = (outcomes: Record<string, string>, over: object = {}) =>
  JSON.stringify({ verdict: 'pass', target: 'http://127.0.0.1:1/core/v1', mode: 'state', startedAt: '2026-01-01T00:00:00Z', provenance, scenarios: Object.entries(outcomes).map(([id, outcome]) => ({ id, outcome })), ...over });
const now = (outcomes: Record<string, string>, baseUrl = 'http://127.0.0.1:1/core/v1', mode = 'state') => ({
  scenarios: Object.entries(outcomes).map(([id, outcome]) => ({ id, outcome })),
  provenance,
  target: { baseUrl, mode },
});

test('every kind of change lands in its own list; alike runs of the same suite say nothing else', () => {
  const base = parseBaseline(report({ a: 'passed', b: 'failed', c: 'failed', d: 'passed', e: 'passed', gone: 'passed' }), 'last.json');
  const c = compareWithBaseline(base, now({ a: 'failed', b: 'passed', c: 'failed', d: 'skipped', e: 'passed', fresh: 'failed' }));
  assert.deepEqual(c.newlyFailing, [{ id: 'a', before: 'passed', now: 'failed' }]);
  assert.deepEqual(c.fixed, [{ id: 'b', before: 'failed', now: 'passed' }]);
  assert.deepEqual(c.stillFailing, [{ id: 'c', before: 'failed', now: 'failed' }]);
  assert.deepEqual(c.otherChanges, [{ id: 'd', before: 'passed', now: 'skipped' }]);
  assert.deepEqual(c.added, [{ id: 'fresh', now: 'failed' }]);
  assert.deepEqual(c.removed, [{ id: 'gone', before: 'passed' }]);
  assert.deepEqual(c.differences, []);
  assert.match(changesLine(c), /^Since the baseline \(last\.json, 2026-01-01T00:00:00Z\): 1 newly failing, 1 fixed, 1 still failing, 1 other outcome change, 1 added, 1 removed\.$/);
});

test('a baseline from another suite version, spec or target is compared anyway and says so', () => {
  const other = structuredClone(provenance);
  other.suite.version = '0.0.1';
  other.specs.documents[0].sha256 = '0'.repeat(64);
  const base = parseBaseline(report({ a: 'passed' }, { provenance: other, target: 'http://staging/core/v1' }), 'old.json');
  const c = compareWithBaseline(base, now({ a: 'failed' }));
  assert.deepEqual(c.newlyFailing.map((x) => x.id), ['a']);
  assert.equal(c.differences.length, 3, c.differences.join('\n'));
  assert.match(c.differences.join('\n'), /suite version 0\.0\.1 →/);
  assert.match(c.differences.join('\n'), /spec document regenerate-secret\.openapi\.json changed/);
  assert.match(c.differences.join('\n'), /target http:\/\/staging\/core\/v1 → http:\/\/127\.0\.0\.1:1\/core\/v1/);
  assert.match(changesLine(c), /compared anyway although/);
  // The bundled mock's port changes every run: not a different target.
  const bundled = parseBaseline(report({ a: 'passed' }, { mode: 'bundled', target: 'http://127.0.0.1:5/core/v1' }), 'b.json');
  assert.deepEqual(compareWithBaseline(bundled, now({ a: 'passed' }, 'http://127.0.0.1:6/core/v1', 'bundled')).differences, []);
  // An older report without provenance.
  assert.match(compareWithBaseline(parseBaseline(report({ a: 'passed' }, { provenance: undefined }), 'x.json'), now({ a: 'passed' })).differences[0], /carries no provenance/);
});

test('an unreadable or invalid baseline is a configuration error naming CONFORMANCE_BASELINE', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'baseline-'));
  assert.equal(loadBaseline({}, dir), undefined);
  const fails = (content: string | null, pattern: RegExp) => {
    if (content !== null) writeFileSync(path.join(dir, 'b.json'), content);
    assert.throws(() => loadBaseline({ CONFORMANCE_BASELINE: content === null ? 'none.json' : 'b.json' }, dir), (e: Error) => e instanceof ConfigError && pattern.test(e.message));
  };
  fails(null, /CONFORMANCE_BASELINE=none\.json: no such file/);
  fails('<html>', /CONFORMANCE_BASELINE=b\.json is not valid JSON/);
  fails('{"verdict": "pass"}', /is not a conformance report/);
  fails('{"scenarios": [{"id": 1}]}', /is not a conformance report/);
  writeFileSync(path.join(dir, 'b.json'), report({ a: 'passed' }));
  assert.equal(loadBaseline({ CONFORMANCE_BASELINE: 'b.json' }, dir)!.scenarios.length, 1);
});
