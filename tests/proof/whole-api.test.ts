/**
 * One command sweeps the whole Core API offline: SPECS_DIR pointing at a
 * folder with the vendor's document derives its schemas (into a cache, not
 * schemas/), starts the bundled mock serving every operation's authentication
 * layer, and passes, with the sweep's scenarios for every operation in every
 * report, each named by operation, and the regenerate-secret scenarios as today.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { regenerateSecret } from '../../src/operations/registry.ts';
const catalogue = regenerateSecret.catalogue;
import { checkSchemas } from '../../src/schema/generate.ts';
import { DEFAULT_SCHEMAS_DIR, DEFAULT_SPECS_DIR } from '../../src/schema/manifest.ts';
import { wholeApiRun } from '../support/whole-api-run.ts';
import path from 'node:path';
import { runVerifyCli } from '../../src/cli/verify-cli.ts';

test('SPECS_DIR with the Core API document: one command derives, starts the mock, sweeps 188 operations and passes', async (t) => {
  const run = await wholeApiRun();
  if ('skip' in run) return t.skip(run.skip);
  assert.equal(run.code, 0, run.output.slice(-3000));
  assert.match(run.output, /SPECS_DIR: schemas (already )?derived for this run into .*katapult-conformance/);
  assert.ok(checkSchemas(DEFAULT_SPECS_DIR, DEFAULT_SCHEMAS_DIR).ok, 'schemas/ untouched');

  const json = run.json();
  assert.equal(json.verdict, 'pass');
  const sweep = json.scenarios.filter((s: any) => s.kind === 'auth_layer');
  assert.equal(sweep.length, 727);
  assert.equal(new Set(sweep.map((s: any) => s.operation.id)).size, 188);
  for (const s of sweep) {
    assert.ok(s.operation.method && s.operation.path && s.operation.id, `${s.id} names its operation`);
    assert.ok(s.outcome === 'passed' || (s.outcome === 'skipped' && s.reason), `${s.id}: ${s.outcome}`);
  }
  assert.deepEqual(sweep.filter((s: any) => s.outcome === 'skipped').map((s: any) => s.id), ['auth-get-organization_api_tokens-403-scope_not_granted']);
  // The regenerate-secret scenarios as today: every one, passed, not swept a second time.
  const own = json.scenarios.filter((s: any) => s.kind !== 'auth_layer');
  assert.deepEqual(own.map((s: any) => s.id), catalogue.map((c) => c.id));
  for (const s of own) assert.equal(s.outcome, 'passed', s.id);
  assert.ok(!sweep.some((s: any) => s.operation.id === 'post:api_token_regenerate_secret'));

  // Every report names them: JUnit and HTML too.
  const junit = run.file('junit.xml');
  assert.equal((junit.match(/<testcase /g) ?? []).length, 727 + catalogue.length);
  assert.match(junit, /DELETE \/virtual_machines\/virtual_machine/);
  // Each testcase's classname is its operation (method and path), then status and variant.
  assert.equal((junit.match(/<testcase [^>]*classname="(GET|POST|PUT|PATCH|DELETE) \/[^"]* \d{3}/g) ?? []).length, 727 + catalogue.length);
  const html = run.file('conformance.html');
  assert.match(html, /operation <code>delete:virtual_machine<\/code> DELETE \/virtual_machines\/virtual_machine/);
  assert.match(run.output, /Leak scan: PASS/);

  // `verify --specs-dir` with the run's folder accepts its statement; specs/ does not (the sweep's catalogue differs).
  const statement = path.join(run.reportsDir, 'conformance-statement.json');
  const verify = (specsDir: string) => {
    let text = '';
    const code = runVerifyCli([statement, '--specs-dir', specsDir], {}, { out: (t) => (text += t), err: (t) => (text += t) });
    return { code, text };
  };
  const right = verify(json.provenance.specs.dir);
  assert.equal(right.code, 0, right.text);
  assert.match(right.text, /statement: VERIFIED/);
  const wrong = verify(DEFAULT_SPECS_DIR);
  assert.equal(wrong.code, 1, wrong.text);
  assert.match(wrong.text, /the scenario catalogue differs/);
});
