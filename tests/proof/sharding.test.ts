/**
 * Issue 8 §1/§2 end to end: shards of the real suite plus `npm run merge`
 * give the same scenarios and outcomes as an unsharded run, the right target
 * and mode, an exit code that follows the merged verdict, and a merged leak
 * scan that knows every shard's secrets (by salted digest only) and still
 * finds a planted one. And a run below its coverage requirement is
 * INCOMPLETE, whatever the filter. Few real runs, each asserted on widely.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMock, type Mock } from '../../src/mock/server.ts';
import { runCatalogue } from '../../src/runner/run-catalogue.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { startMockTarget } from '../support/in-process-target.ts';
import { runMerge, runPlain, runShards } from '../support/run-shards.ts';

const FAULTS = ['expired-token-accepted', 'unavailable-500'] as const;
const json = (dir: string, name = 'conformance.json') => JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
const outcomes = (report: any) => Object.fromEntries(report.scenarios.map((s: any) => [s.id, s.outcome]));

async function vendorMock(faults: readonly (typeof FAULTS)[number][]): Promise<{ mock: Mock; env: Record<string, string> }> {
  const mock = createMock({ faults });
  const address = await mock.listen(0, '127.0.0.1');
  return { mock, env: { BASE_URL: address.baseUrl, STATE_URL: address.stateUrl } };
}

describe('two shards and the merge, against a vendor mock with two faults', () => {
  let faulty: Awaited<ReturnType<typeof vendorMock>>;
  let shards: Awaited<ReturnType<typeof runShards>>;
  let merged: Awaited<ReturnType<typeof runMerge>>;
  let reference: Record<string, string>;

  before(async () => {
    faulty = await vendorMock(FAULTS);
    // The unsharded run, in process (the proof tests show it judges as the real suite does).
    const t = await startMockTarget({ faults: FAULTS });
    try {
      reference = Object.fromEntries((await runCatalogue(t.target, regenerateSecret)).map((r) => [r.id, r.outcome]));
    } finally {
      await t.close();
    }
    shards = await runShards(2, faulty.env);
    // Positive control: every secret the mock issued, planted base64-encoded where the merge writes.
    const mergedDir = mkdtempSync(path.join(tmpdir(), 'conformance-merged-'));
    writeFileSync(path.join(mergedDir, 'planted.txt'), faulty.mock.issuedSecrets().map((s) => Buffer.from(`x${s}`).toString('base64')).join('\n'));
    merged = await runMerge([path.join(shards.reportsDir, 'blob')], {}, mergedDir);
  });
  after(() => faulty?.mock.close());

  test('each shard says it is a shard and which part it ran, in its own files', () => {
    const files = readdirSync(shards.reportsDir);
    for (const i of [1, 2]) {
      const out = shards.shards[i - 1].output;
      assert.match(out, new RegExp(`Conformance \\(shard ${i}/2, \\d+ of 26 scenarios\\)`), out);
      assert.match(out, /Leak scan: PASS/);
      for (const f of [`conformance-shard-${i}-of-2.json`, `conformance-shard-${i}-of-2.html`, `junit-shard-${i}-of-2.xml`, `leak-scan-shard-${i}-of-2.json`]) assert.ok(files.includes(f), `${f} in ${files}`);
      assert.ok(existsSync(path.join(shards.reportsDir, 'blob', `report-shard-${i}-of-2.zip`)));
      assert.ok(existsSync(path.join(shards.reportsDir, 'blob', `report-shard-${i}-of-2.leak-digests.json`)));
      const own = json(shards.reportsDir, `conformance-shard-${i}-of-2.json`);
      assert.deepEqual(own.shard, { current: i, total: 2 });
      assert.match(readFileSync(path.join(shards.reportsDir, `conformance-shard-${i}-of-2.html`), 'utf8'), new RegExp(`This is shard ${i} of 2`));
    }
    assert.ok(!files.includes('conformance.json'), 'a shard alone writes no whole-run report');
    // Together the two shards ran every scenario once.
    const ran = [1, 2].flatMap((i) => json(shards.reportsDir, `conformance-shard-${i}-of-2.json`).scenarios.filter((s: any) => s.notCovered !== 'not_run').map((s: any) => s.id));
    assert.equal(ran.length, 26);
    assert.equal(new Set(ran).size, 26);
  });

  test('the merged conformance.json has the unsharded run\'s scenarios and outcomes, target and mode; the merge exits non-zero', () => {
    const report = json(merged.reportsDir);
    assert.deepEqual(outcomes(report), reference);
    assert.deepEqual(Object.values(reference).filter((o) => o === 'failed').length, 2);
    assert.equal(report.verdict, 'fail');
    assert.equal(report.target, faulty.env.BASE_URL);
    assert.equal(report.mode, 'state');
    assert.match(report.stateArrangement, new RegExp(faulty.env.STATE_URL.replace(/[.]/g, '\\.')));
    assert.deepEqual(report.mergedFrom, [{ current: 1, total: 2 }, { current: 2, total: 2 }]);
    assert.ok(report.durationMs > 0);
    assert.notEqual(merged.code, 0, merged.output);
    assert.match(merged.output, /Conformance: FAIL — 2 scenarios failed/);
  });

  test('the merged junit.xml counts the conformance failures as failures', () => {
    const xml = readFileSync(path.join(merged.reportsDir, 'junit.xml'), 'utf8');
    assert.match(xml, /<testsuites name="conformance" tests="26" failures="2" errors="0"/);
    assert.equal((xml.match(/<failure message="[^"]*" type="conformance"/g) ?? []).length, 2);
  });

  test('the merged leak scan finds a secret of the shards that it knows only by digest', () => {
    assert.match(merged.output, /Leak scan: FAIL/);
    const scan = json(merged.reportsDir, 'leak-scan.json');
    assert.ok(scan.hits.some((h: any) => /planted\.txt/.test(h.where) && /shard [12]\/2/.test(h.secret)), JSON.stringify(scan.hits.slice(0, 3)));
    // Nothing the shards or the merge wrote carries a secret as is.
    for (const s of faulty.mock.issuedSecrets())
      for (const f of readdirSync(path.join(shards.reportsDir, 'blob'))) assert.ok(!readFileSync(path.join(shards.reportsDir, 'blob', f)).includes(s), `${f} holds a secret`);
  });
});

describe('two shards and the merge, against the clean mock', () => {
  let clean: Awaited<ReturnType<typeof vendorMock>>;
  let merged: Awaited<ReturnType<typeof runMerge>>;
  let shards: Awaited<ReturnType<typeof runShards>>;
  before(async () => {
    clean = await vendorMock([]);
    shards = await runShards(2, clean.env);
    for (const s of shards.shards) assert.equal(s.code, 0, s.output);
    merged = await runMerge([path.join(shards.reportsDir, 'blob')]);
  });
  after(() => clean?.mock.close());

  test('the merge passes, exits 0, and its leak scan names both shards\' secrets', () => {
    assert.equal(merged.code, 0, merged.output);
    assert.equal(json(merged.reportsDir).verdict, 'pass');
    const line = merged.output.split('\n').find((l) => l.startsWith('Leak scan: PASS')) ?? '';
    const m = /(\d+) of them known to this merge only by the salted digests the shards left \((\d+) of shard 1\/2, (\d+) of shard 2\/2\)/.exec(line);
    assert.ok(m, line);
    assert.ok(Number(m[2]) > 0 && Number(m[3]) > 0);
    assert.equal(Number(m[1]), Number(m[2]) + Number(m[3]));
  });

  test('a merge that lacks a shard\'s blob is INCOMPLETE, non-zero, and names the missing shard', async () => {
    // The clean run's blobs again, shard 1's only: its coverage is judged here, at the merge.
    const only = mkdtempSync(path.join(tmpdir(), 'conformance-blobs-'));
    for (const f of readdirSync(path.join(shards.reportsDir, 'blob')).filter((n) => n.includes('shard-1-of-2'))) copyFileSync(path.join(shards.reportsDir, 'blob', f), path.join(only, f));
    const partial = await runMerge([only]);
    assert.notEqual(partial.code, 0, partial.output);
    const report = json(partial.reportsDir);
    assert.equal(report.verdict, 'incomplete');
    assert.match(report.verdictReason, /the blob of shard 2\/2 is missing from the merge/);
  });
});

describe('coverage is part of the verdict', () => {
  let clean: Awaited<ReturnType<typeof vendorMock>>;
  before(async () => {
    clean = await vendorMock([]);
  });
  after(() => clean?.mock.close());

  test('-g 503 is INCOMPLETE and non-zero by default, and passes with CONFORMANCE_REQUIRE=none', async () => {
    const [byDefault, none] = await Promise.all([runPlain({}, ['-g', '503']), runPlain({ CONFORMANCE_REQUIRE: 'none' }, ['-g', '503'])]);
    assert.notEqual(byDefault.code, 0, byDefault.output);
    const report = json(byDefault.reportsDir);
    assert.equal(report.verdict, 'incomplete');
    assert.match(report.verdictReason, /25 scenarios required by CONFORMANCE_REQUIRE=arrangeable did not run/);
    assert.match(report.verdictReason, /not selected by this run \(a -g\/--grep/);
    assert.match(report.verdictReason, /CONFORMANCE_REQUIRE=none/);
    assert.match(byDefault.output, /Conformance: INCOMPLETE/);
    assert.match(readFileSync(path.join(byDefault.reportsDir, 'junit.xml'), 'utf8'), /<failure message="[^"]*" type="incomplete"/);
    assert.equal(none.code, 0, none.output);
    assert.equal(json(none.reportsDir).verdict, 'pass');
  });

  test('a bare BASE_URL passes (stateless scenarios are all it can arrange); CONFORMANCE_REQUIRE=all makes it INCOMPLETE; one without /core/v1 gets one hint naming BASE_URL', async () => {
    const bare = { BASE_URL: clean.env.BASE_URL };
    const wrongBase = clean.env.BASE_URL.replace(/\/core\/v1$/, '');
    const [byDefault, all, wrong] = await Promise.all([runPlain(bare), runPlain({ ...bare, CONFORMANCE_REQUIRE: 'all' }), runPlain({ BASE_URL: wrongBase })]);
    // A BASE_URL without /core/v1: every request gets 404, and the run says once which setting to check.
    assert.notEqual(wrong.code, 0, wrong.output);
    const hints = wrong.output.split('\n').filter((l) => l.startsWith('Hint: '));
    assert.equal(hints.length, 1, wrong.output);
    assert.match(hints[0], new RegExp(`BASE_URL=${wrongBase.replace(/[.]/g, '\\.')} answered 404 to every one of the \\d+ operation requests: does it include the API's base path \\(/core/v1`));
    assert.deepEqual(json(wrong.reportsDir).hints, [hints[0].slice('Hint: '.length)]);
    assert.equal(byDefault.code, 0, byDefault.output);
    const report = json(byDefault.reportsDir);
    assert.equal(report.verdict, 'pass');
    assert.equal(report.coverage.met, true);
    assert.ok(report.coverage.missing.length > 0 && report.coverage.missing.every((m: any) => !m.counts));
    assert.notEqual(all.code, 0, all.output);
    assert.equal(json(all.reportsDir).verdict, 'incomplete');
    assert.match(json(all.reportsDir).verdictReason, /CONFORMANCE_REQUIRE=all/);
  });
});
