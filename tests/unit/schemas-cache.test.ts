/**
 * A SPECS_DIR whose documents schemas/ was never derived from is derived for
 * the run into a cache folder (never over schemas/); the project's own
 * documents, and documents schemas/ was derived from, must be fresh.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../src/model/suite-root.ts';
import { checkSchemas, existingGenerated } from '../../src/schema/generate.ts';
import { DEFAULT_SCHEMAS_DIR, DEFAULT_SPECS_DIR } from '../../src/schema/manifest.ts';
import { chooseSchemas } from '../../src/suite/schemas-cache.ts';
import { checkSpecsAndSchemas } from '../../src/suite/preflight.ts';
import { loadSchemas } from '../../src/operations/run-schemas.ts';

const SPEC = join(DEFAULT_SPECS_DIR, 'regenerate-secret.openapi.json');

test('the project documents use schemas/', () => {
  assert.deepEqual(chooseSchemas(DEFAULT_SPECS_DIR), { kind: 'project', dir: DEFAULT_SCHEMAS_DIR });
});

test('new documents are derived into a cache keyed by their hash, and schemas/ is left alone', () => {
  const before = existingGenerated(DEFAULT_SCHEMAS_DIR);
  const specs = mkdtempSync(join(tmpdir(), 'schemas-cache-'));
  copyFileSync(SPEC, join(specs, 'regenerate-secret.openapi.json'));
  copyFileSync(join(REPO_ROOT, 'tests/fixtures/auth-layer/widgets.openapi.json'), join(specs, 'widgets.openapi.json'));
  const first = chooseSchemas(specs);
  assert.equal(first.kind, 'derived-for-run');
  assert.notEqual(first.dir, DEFAULT_SCHEMAS_DIR);
  assert.ok(checkSchemas(specs, first.dir).ok);
  const second = chooseSchemas(specs);
  assert.deepEqual(second, { kind: 'derived-for-run', dir: first.dir, fresh: false }, 'reused, not derived again');
  assert.deepEqual(existingGenerated(DEFAULT_SCHEMAS_DIR), before);
  assert.ok(checkSchemas(DEFAULT_SPECS_DIR, DEFAULT_SCHEMAS_DIR).ok);
  // The workers load the run's folder from the variable the global setup sets.
  const validator = loadSchemas({ CONFORMANCE_SCHEMAS_DIR: first.dir });
  assert.deepEqual(validator.documentedStatuses('delete:widget'), [200, 400, 403, 429, 503]);
  // Another document, another key.
  writeFileSync(join(specs, 'widgets.openapi.json'), readFileSync(join(specs, 'widgets.openapi.json'), 'utf8').replace('"version": "1.0.0"', '"version": "1.0.1"'));
  const third = chooseSchemas(specs);
  assert.notEqual(third.dir, first.dir);
});

test('documents schemas/ was derived from, edited since, still stop the run naming the fix', () => {
  const specs = mkdtempSync(join(tmpdir(), 'schemas-stale-'));
  const doc = JSON.parse(readFileSync(SPEC, 'utf8'));
  doc.info.description = 'edited';
  writeFileSync(join(specs, 'regenerate-secret.openapi.json'), JSON.stringify(doc));
  assert.equal(chooseSchemas(specs).kind, 'stale');
  assert.throws(() => checkSpecsAndSchemas({ SPECS_DIR: specs }), /do not match the OpenAPI documents .* run "npm run schemas -- --specs /);
});
