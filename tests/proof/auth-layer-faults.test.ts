/**
 * Proof of the authentication-layer sweep, in process: against the bundled
 * mock serving every operation of the vendor's Core API document the sweep
 * passes (one scope case skipped with its reason); with the layer broken on
 * chosen operations it fails exactly those operations' scenarios, the
 * mutating one marked critical, and nothing else. A small hand-written fixture
 * document is swept the same way, with no code of its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScenarioResult } from '../../src/engine/run-scenario.ts';
import { CORE_DOCUMENT, WIDGETS_FIXTURE, coreDocumentMissing, runSweep, specsFolder, startSweepMock, sweepFixture } from '../support/sweep-target.ts';
import { REPO_ROOT } from '../../src/config/env.ts';
import path from 'node:path';

const by = (results: ScenarioResult[], outcome: string) => results.filter((r) => r.outcome === outcome).map((r) => r.id).sort();

const FAULTS = {
  'delete:ssh_key': ['missing-auth-accepted'],
  'get:data_centers': ['missing-auth-401'],
  'get:virtual_machine': ['scope-ignored'],
  'patch:disk': ['wrong-403-variant'],
} as const;
const EXPECTED_FAILED = [
  'auth-delete-ssh_key-400-no-authorization',
  'auth-get-data_centers-400-no-authorization',
  'auth-get-data_centers-400-non-bearer-scheme',
  'auth-get-virtual_machine-403-scope_not_granted',
  'auth-patch-disk-403-invalid_api_token-unknown-bearer',
].sort();

test('the whole Core API: the clean mock passes the sweep; a layer broken on four operations fails exactly their scenarios', async (t) => {
  const missing = coreDocumentMissing('the in-process sweep of the whole Core API');
  if (missing) return t.skip(missing);
  const f = sweepFixture(specsFolder({ 'katapult-core.openapi.json': CORE_DOCUMENT }));
  assert.equal(f.catalogue.length, 727);

  const clean = await startSweepMock(f);
  try {
    const results = await runSweep(clean.target, f);
    assert.deepEqual(by(results, 'failed'), [], JSON.stringify(results.filter((r) => r.outcome === 'failed').slice(0, 3), null, 1));
    assert.deepEqual(by(results, 'skipped'), ['auth-get-organization_api_tokens-403-scope_not_granted']);
    assert.equal(by(results, 'passed').length, 726);
    assert.deepEqual(results.flatMap((r) => r.findings), [], 'no warning either');
  } finally {
    await clean.close();
  }

  const broken = await startSweepMock(f, { authLayerFaults: FAULTS });
  try {
    const results = await runSweep(broken.target, f);
    assert.deepEqual(by(results, 'failed'), EXPECTED_FAILED);
    assert.equal(by(results, 'passed').length, 726 - EXPECTED_FAILED.length);
    const critical = results.filter((r) => r.findings.some((x) => x.critical)).map((r) => r.id);
    assert.deepEqual(critical, ['auth-delete-ssh_key-400-no-authorization'], 'only the mutating one is critical');
    const del = results.find((r) => r.id === 'auth-delete-ssh_key-400-no-authorization')!;
    assert.match(del.findings[0]!.message, /^CRITICAL: the authentication layer let an unauthenticated DELETE through: DELETE \/ssh_keys\/ssh_key answered 200/);
    const get401 = results.find((r) => r.id === 'auth-get-data_centers-400-no-authorization')!;
    assert.ok(get401.findings.some((x) => /Received: 401 \/ Documented: 200, 400, 403/.test(x.message)), JSON.stringify(get401.findings));
    assert.ok(!get401.findings.some((x) => x.critical), 'a GET answering 401 is a failure, not a critical one');
    const variant = results.find((r) => r.id === 'auth-patch-disk-403-invalid_api_token-unknown-bearer')!;
    assert.ok(variant.findings.some((x) => /expected code invalid_api_token, received "scope_not_granted"/.test(x.message)), JSON.stringify(variant.findings));
    const scope = results.find((r) => r.id === 'auth-get-virtual_machine-403-scope_not_granted')!;
    assert.ok(scope.findings.some((x) => /expected status 403 \(scope_not_granted\), received 503/.test(x.message)), JSON.stringify(scope.findings));
  } finally {
    await broken.close();
  }
});

test('an operation added from a small fixture document is swept with no code of its own', async () => {
  const f = sweepFixture(specsFolder({ 'regenerate-secret.openapi.json': path.join(REPO_ROOT, 'specs/regenerate-secret.openapi.json'), 'widgets.openapi.json': WIDGETS_FIXTURE }));
  assert.deepEqual([...new Set(f.catalogue.map((s) => s.operation.id))], ['get:widget', 'delete:widget', 'get:widget_colours']);
  const clean = await startSweepMock(f);
  try {
    const results = await runSweep(clean.target, f);
    assert.deepEqual(by(results, 'passed').length, 11, JSON.stringify(results.filter((r) => r.outcome !== 'passed'), null, 1));
  } finally {
    await clean.close();
  }
  // And its cases can fail: the layer broken on the fixture's DELETE fails exactly its two scenarios.
  const broken = await startSweepMock(f, { authLayerFaults: { 'delete:widget': ['missing-auth-accepted', 'scope-ignored'] } });
  try {
    const results = await runSweep(broken.target, f);
    assert.deepEqual(by(results, 'failed'), ['auth-delete-widget-400-no-authorization', 'auth-delete-widget-403-scope_not_granted']);
    assert.ok(results.find((r) => r.id === 'auth-delete-widget-400-no-authorization')!.findings[0]!.critical);
  } finally {
    await broken.close();
  }
});
