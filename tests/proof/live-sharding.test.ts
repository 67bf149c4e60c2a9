/**
 * Live mode, sharded as a CI matrix runs it: two `playwright test --shard=i/2`
 * processes at once against one live deployment (the reference mock's live
 * personality), sharing one CONFORMANCE_RUN_ID and one reports folder, then
 * `npm run merge`. Each shard names its throwaway tokens with its own prefix,
 * so one shard's end-of-run sweep cannot delete the tokens the other is still
 * using; the merged verdict is the unsharded one, and nothing is left behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { runMerge, runShards, type Proc } from '../support/run-shards.ts';
import { startLiveTarget, type LiveTarget } from '../support/live-target.ts';
const { catalogue } = regenerateSecret;

/** What live mode cannot arrange, and the opt-in rate-limit burst: skipped, as in an unsharded live run. */
const SKIPPED_LIVE = ['403-invalid_capabilities_token', '403-permission_denied', '422-validation_error', '503-service_unavailable', '429-rate_limit_reached'];

describe('a sharded live run (2 shards at once, one CONFORMANCE_RUN_ID)', () => {
  let live: LiveTarget;
  let initial: { id: string; name: string }[];
  let shards: { reportsDir: string; shards: Proc[] };
  let merged: Proc & { reportsDir: string };
  before(async () => {
    live = await startLiveTarget();
    initial = await live.listTokens();
    shards = await runShards(2, { ...live.env, ERROR_ENVELOPE: 'wrapped', LIVE_REQUESTS_PER_SECOND: '200', CONFORMANCE_RUN_ID: 'ci-4711' });
    merged = await runMerge([shards.reportsDir]);
  });
  after(() => live?.close());

  test('each shard passes and names its throwaway tokens with its own prefix', () => {
    shards.shards.forEach((s, i) => {
      assert.equal(s.code, 0, `shard ${i + 1}:\n${s.output}`);
      assert.match(s.output, new RegExp(`throwaway tokens of this run are named conformance-suite-ci-4711-s${i + 1}of2`), s.output);
    });
  });

  test('the merge passes with every scenario of the catalogue, each run once, the unarrangeable ones skipped with their reason', () => {
    assert.equal(merged.code, 0, merged.output);
    const report = JSON.parse(readFileSync(path.join(merged.reportsDir, 'conformance.json'), 'utf8'));
    assert.equal(report.verdict, 'pass');
    assert.equal(report.mode, 'live');
    assert.equal(report.scenarios.length, catalogue.length);
    const by = (outcome: string) => report.scenarios.filter((s: any) => s.outcome === outcome).map((s: any) => s.id).sort();
    assert.deepEqual(by('skipped'), [...SKIPPED_LIVE].sort());
    assert.equal(by('passed').length, catalogue.length - SKIPPED_LIVE.length);
    assert.ok(report.scenarios.every((s: any) => s.notCovered !== 'not_run'), 'a scenario ran in neither shard');
    assert.match(merged.output, /Leak scan: PASS/);
  });

  test('nothing is left: the token list is as before, the admin secret works and appears nowhere', async () => {
    const after = await live.listTokens();
    assert.deepEqual(after.map((t) => t.id).sort(), initial.map((t) => t.id).sort(), JSON.stringify(after));
    assert.ok(await live.adminSecretWorks(), "the configured token's secret no longer works");
    for (const p of [...shards.shards, merged]) assert.ok(!p.output.includes(live.account.adminToken), 'the configured token is in the output');
    assert.ok(!readFileSync(path.join(merged.reportsDir, 'conformance.json'), 'utf8').includes(live.account.adminToken));
  });
});
