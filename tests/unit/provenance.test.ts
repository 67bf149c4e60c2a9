import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { canonicalJson, catalogueHash, collectProvenance, gitCommit, provenanceDifferences } from '../../src/report/provenance.ts';
import { renderHtml } from '../../src/report/render-html.ts';
import { renderJson } from '../../src/report/render-json.ts';
import { countOutcomes, type RunModel } from '../../src/report/model.ts';
const { catalogue } = regenerateSecret;

const specsDir = path.join(REPO_ROOT, 'specs');

test('canonical JSON sorts keys at every depth, so key order does not change the catalogue hash', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  assert.equal(catalogueHash([{ id: 'x', status: 200 }]), catalogueHash([{ status: 200, id: 'x' }]));
  assert.notEqual(catalogueHash([{ id: 'x', status: 200 }]), catalogueHash([{ id: 'x', status: 201 }]));
  assert.match(catalogueHash(catalogue), /^[0-9a-f]{64}$/);
});

test('provenance names the suite, hashes each spec document and the catalogue, and knows the Playwright version', () => {
  const p = collectProvenance({ root: REPO_ROOT, specsDir, catalogue });
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  assert.equal(p.suite.name, pkg.name);
  assert.equal(p.suite.version, pkg.version);
  assert.equal(p.specs.dir, 'specs');
  const expected = createHash('sha256').update(readFileSync(path.join(specsDir, 'regenerate-secret.openapi.json'))).digest('hex');
  assert.deepEqual(p.specs.documents, [{ path: 'regenerate-secret.openapi.json', sha256: expected }]);
  assert.equal(p.catalogue.scenarios, catalogue.length);
  assert.equal(p.catalogue.sha256, catalogueHash(catalogue));
  const pw = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules/@playwright/test/package.json'), 'utf8'));
  assert.equal(p.playwright, pw.version);
});

test('a checkout reports its commit; a copy without .git (an installed package) reports null and does not fail', () => {
  const commit = gitCommit(REPO_ROOT);
  // The project's tests may run from an export without git metadata; then there is nothing to compare.
  if (commit !== null) assert.match(commit, /^[0-9a-f]{40,64}$/);
  const installed = mkdtempSync(path.join(tmpdir(), 'provenance-installed-'));
  writeFileSync(path.join(installed, 'package.json'), JSON.stringify({ name: 'katapult-conformance', version: '9.9.9' }));
  cpSync(specsDir, path.join(installed, 'specs'), { recursive: true });
  const p = collectProvenance({ root: installed, specsDir: path.join(installed, 'specs'), catalogue });
  assert.equal(p.suite.commit, null);
  assert.equal(p.suite.version, '9.9.9');
  assert.equal(p.playwright, null);
  assert.equal(p.specs.documents.length, 1);
});

test('an unreadable SPECS_DIR is recorded, not thrown', () => {
  const p = collectProvenance({ root: REPO_ROOT, specsDir: path.join(tmpdir(), 'no-such-specs-dir-provenance'), catalogue: [] });
  assert.deepEqual(p.specs.documents, []);
  assert.match(p.specs.error ?? '', /cannot read/);
});

test('provenance differences name the suite version, a changed spec and a changed catalogue; alike is empty', () => {
  const now = collectProvenance({ root: REPO_ROOT, specsDir, catalogue });
  assert.deepEqual(provenanceDifferences(structuredClone(now), now), []);
  const before = structuredClone(now);
  before.suite.version = '0.0.1';
  before.specs.documents[0].sha256 = 'f'.repeat(64);
  before.catalogue.sha256 = 'e'.repeat(64);
  const diff = provenanceDifferences(before, now);
  assert.equal(diff.length, 3, diff.join('\n'));
  assert.match(diff[0], /suite version 0\.0\.1 →/);
  assert.match(diff[1], /spec document regenerate-secret\.openapi\.json changed/);
  assert.match(diff[2], /scenario catalogue changed/);
  assert.match(provenanceDifferences(undefined, now)[0], /carries no provenance/);
});

test('conformance.json carries the provenance and the HTML header shows it', () => {
  const provenance = collectProvenance({ root: REPO_ROOT, specsDir, catalogue });
  const model: RunModel = {
    verdict: 'pass', verdictReason: 'ok',
    operations: [{ id: 'post:x', method: 'POST', path: '/x' }],
    target: { baseUrl: 'http://127.0.0.1:1/core/v1', mode: 'bundled', modeLabel: 'bundled', stateArrangement: 's', envelope: 'flat', profile: 'strict' },
    startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', durationMs: 1000,
    counts: countOutcomes([]), matrix: [], scenarios: [], errors: [], provenance,
  };
  assert.deepEqual(JSON.parse(renderJson(model)).provenance, provenance);
  const html = renderHtml(model);
  assert.ok(html.includes(provenance.catalogue.sha256));
  assert.ok(html.includes(provenance.specs.documents[0].sha256));
  assert.ok(html.includes('regenerate-secret.openapi.json'));
  assert.match(html, new RegExp(`Playwright</dt><dd>${provenance.playwright!.replace(/\./g, '\\.')}`));
});
