/**
 * `npm run reliability`: runs the trust checks of the project and prints their
 * figures, measured in this run:
 *   1. leak scan: secrets searched and found in every artifact of full runs;
 *   2. bad configurations tried and how each ended;
 *   3. target faults survived (through the fault proxy);
 *   4. the mock under fuzzing (cases, 5xx), concurrency (requests, distinct
 *      and valid secrets) and a long series of states (memory before/after).
 * Exits non-zero when a figure is not what the project promises. All traffic
 * stays on 127.0.0.1; every loop is bounded in count and time.
 *
 * Tuning (environment): RELIABILITY_FUZZ_RUNS (default 1000 per property),
 * RELIABILITY_CONCURRENCY (200), RELIABILITY_CHURN_CYCLES (20000).
 */
import { regenerateSecret } from '../src/operations/regenerate-secret/index.ts';
import { fuzzMock } from '../tests/support/reliability/fuzz.ts';
import { concurrentRegenerations, stateChurn } from '../tests/support/reliability/load.ts';
import { BAD_CONFIG_CASES, runBadConfig, startBadServers, type BadConfigResult } from '../tests/support/reliability/bad-config-runs.ts';
import { runInProcessThroughProxy, runTargetFaults, STATE_ENDPOINT_FAULTS, TARGET_FAULTS } from '../tests/support/reliability/target-fault-runs.ts';
import { leakScanRun } from '../tests/support/reliability/leak-runs.ts';
const { catalogue } = regenerateSecret;

const FUZZ_RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 1000);
const CONCURRENCY = Number(process.env.RELIABILITY_CONCURRENCY ?? 200);
const CHURN = Number(process.env.RELIABILITY_CHURN_CYCLES ?? 20_000);

const problems: string[] = [];
const expect = (ok: boolean, what: string) => {
  if (!ok) problems.push(what);
  return ok ? 'ok' : 'NOT MET';
};
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const clip = (text: string, n = 150) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
const line = (text = '') => process.stdout.write(`${text}\n`);

async function leakScan() {
  line('1. Leak scan (full runs of `playwright test` through a recording proxy; the test\'s own list of secrets)');
  const clean = await leakScanRun();
  const echo = await leakScanRun({ mockFaults: ['error-leaks-secret'] });
  const planted = await leakScanRun({ plantInReports: true });
  for (const [name, r] of [
    ['clean target', clean],
    ['target echoing the bearer in an error body', echo],
  ] as const) {
    const bySource = Object.entries(r.secretsBySource).map(([k, v]) => `${v} ${k}`).join(', ');
    line(`   ${name}: exit ${r.exitCode}, verdict ${r.verdict}, ${s(r.durationMs)}`);
    line(`     secrets searched: ${r.secretsSearched} (${bySource})`);
    line(`     scanned: ${r.files} files, ${r.entries} files + archive entries + output, ${(r.bytes / 1024 / 1024).toFixed(2)} MB`);
    line(`     secrets found: ${r.hits.length}   unscannable: ${r.problems.length}   [${expect(r.hits.length === 0 && r.problems.length === 0, `${name}: ${r.hits.length} secrets found`)}]`);
    line(`     suite's own scan: ${clip(r.suiteScanLine, 110)}`);
  }
  line(`   positive control (a .env secret planted in reports/): exit ${planted.exitCode}, found ${planted.hits.length} by the test, suite's scan: ${clip(planted.suiteScanLine, 70)}   [${expect(planted.exitCode === 1 && planted.hits.length === 1 && planted.suiteScanLine.includes('FAIL'), 'planted secret not caught')}]`);
  line();
  return { hits: clean.hits.length + echo.hits.length, secretsSearched: clean.secretsSearched + echo.secretsSearched };
}

const HTML_CASE = 'STATE_URL answers HTML';

async function badConfigurations() {
  line(`2. Bad configurations tried: ${BAD_CONFIG_CASES.length} (each a real \`playwright test\` run)`);
  const servers = await startBadServers();
  const results: BadConfigResult[] = new Array(BAD_CONFIG_CASES.length);
  let alone: BadConfigResult | undefined;
  try {
    let next = 0;
    await Promise.all(
      [0, 1].map(async () => {
        while (next < BAD_CONFIG_CASES.length) {
          const i = next++;
          results[i] = await runBadConfig(BAD_CONFIG_CASES[i], servers);
        }
      }),
    );
    // Alone, so that the figure is the case's own cost, not its share of a busy machine.
    alone = await runBadConfig(BAD_CONFIG_CASES.find((c) => c.name === HTML_CASE)!, servers);
  } finally {
    await servers.close();
  }
  for (const r of results) {
    const ok = r.exitCode === 1 && r.messageMatched && r.stackFrames === 0 && r.reportSaysFail && r.durationMs < 30_000;
    line(`   ${expect(ok, `bad configuration "${r.name}" did not end as promised`).padEnd(7)} ${r.name.padEnd(42)} exit ${r.exitCode}, ${s(r.durationMs).padStart(6)}, ${r.stackFrames} stack frames, report ${r.reportSaysFail ? 'fail' : 'NOT fail'}`);
    line(`           ${clip(r.message.replace(/\. Report: .*$/, ''), 160)}`);
  }
  // Before the STATE_URL check at start, every stateful scenario failed on its own and Playwright replaced its worker each time: 13 s.
  const aloneOk = alone!.exitCode === 1 && alone!.messageMatched && alone!.durationMs < 3_000;
  line(`   ${expect(aloneOk, `"${HTML_CASE}" run alone took ${s(alone!.durationMs)} (promised under 3 s)`).padEnd(7)} ${`${HTML_CASE}, run alone`.padEnd(42)} exit ${alone!.exitCode}, ${s(alone!.durationMs).padStart(6)} (promised under 3 s)`);
  line();
  return results.length;
}

async function targetFaults() {
  line('3. Target faults (fault proxy in front of the reference mock)');
  const r = await runTargetFaults(3000);
  line(`   playwright test with ${TARGET_FAULTS.length} faults, REQUEST_TIMEOUT_MS=3000: exit ${r.exitCode}, completed in ${s(r.durationMs)}, reports written ${r.reportsWritten.length}/4 [${expect(r.reportsMissing.length === 0, 'reports missing after faults')}]`);
  let survived = 0;
  for (const f of r.faults) {
    const ok = f.outcome === 'failed' && f.messageMatched && f.timesBroken === 1;
    if (ok) survived++;
    line(`   ${expect(ok, `fault ${f.rule} not reported as promised`).padEnd(7)} ${f.rule.split('@')[0].padEnd(9)} -> ${f.scenario}: ${f.outcome}: ${clip(f.message, 120)}`);
  }
  line(`   other scenarios unaffected: ${r.unaffected.passed}/${r.unaffected.total} passed [${expect(r.unaffected.notPassed.length === 0, `scenarios affected by faults aimed elsewhere: ${r.unaffected.notPassed.join(', ')}`)}]`);
  line(`   ${r.leakScanLine} [${expect(r.leakScanLine.startsWith('Leak scan: PASS'), 'a transport fault carried a credential into a report')}]`);
  let stateSurvived = 0;
  for (const f of STATE_ENDPOINT_FAULTS) {
    const stateTimeout = f.rule.startsWith('stall') ? 300 : 2000;
    const { results, durationMs } = await runInProcessThroughProxy([f.rule], 2000, stateTimeout);
    const stateful = new Set(catalogue.filter((c) => c.state !== null).map((c) => c.id));
    const notArranged = results.filter((x) => stateful.has(x.id) && x.outcome === 'not_arranged' && f.reason(stateTimeout).test(x.reason ?? ''));
    const othersPassed = results.filter((x) => !stateful.has(x.id) && x.outcome === 'passed').length;
    const ok = notArranged.length === stateful.size && othersPassed === results.length - stateful.size;
    if (ok) stateSurvived++;
    line(`   ${expect(ok, `state endpoint fault ${f.rule} not reported as promised`).padEnd(7)} ${f.rule.padEnd(32)} (in process): ${notArranged.length}/${stateful.size} not arranged, ${othersPassed} others passed, ${s(durationMs)}; ${clip(results.find((x) => x.outcome === 'not_arranged')?.reason ?? '', 90)}`);
  }
  line();
  return { survived: survived + stateSurvived, tried: TARGET_FAULTS.length + STATE_ENDPOINT_FAULTS.length };
}

async function mockUnderLoad() {
  line('4. The reference mock under fuzzing and load');
  const fuzz = await fuzzMock({ runs: FUZZ_RUNS });
  line(`   fuzz cases: ${fuzz.total} (${Object.entries(fuzz.cases).map(([k, v]) => `${v} ${k}`).join(', ')}), seed ${fuzz.seed}`);
  line(`     statuses: ${Object.entries(fuzz.statuses).map(([k, v]) => `${k}×${v}`).join(' ')}`);
  line(`     5xx: ${fuzz.fiveXX}, internal errors: ${fuzz.internalErrors}, properties falsified: ${fuzz.failures.length}, answering after: ${fuzz.aliveAfter ? 'yes' : 'NO'} [${expect(fuzz.fiveXX === 0 && fuzz.internalErrors === 0 && fuzz.failures.length === 0 && fuzz.aliveAfter, `fuzzing: ${fuzz.failures.join(' | ')}`)}]`);
  const control = await fuzzMock({ runs: 200, seed: 42, faults: ['not-found-500'] });
  line(`     positive control (mock broken with not-found-500): ${control.fiveXX} 5xx found, ${control.failures.length} property falsified [${expect(control.fiveXX > 0, 'the fuzzing did not find a planted 5xx')}]`);

  let valid = 0;
  let concurrent = 0;
  let fiveXX = fuzz.fiveXX;
  for (const variant of ['caller', 'self'] as const) {
    const c = await concurrentRegenerations(CONCURRENCY, variant);
    concurrent += c.requests;
    fiveXX += c.fiveXX;
    valid = c.validAtEnd;
    const ok = c.transportErrors === 0 && c.fiveXX === 0 && c.unexpected.length === 0 && c.distinctSecrets === c.secretsAnswered && c.validAtEnd === 1 && !c.oldSecretValid;
    line(`   concurrent regenerations of one token (${variant === 'caller' ? 'by another token' : 'with its own secret'}): ${c.requests} requests in ${c.durationMs} ms`);
    line(`     answers: ${Object.entries(c.statuses).map(([k, v]) => `${k}×${v}`).join(', ')}; 5xx ${c.fiveXX}; transport errors ${c.transportErrors}`);
    line(`     secrets answered ${c.secretsAnswered}, distinct ${c.distinctSecrets}; valid secrets at the end: ${c.validAtEnd} (old secret valid: ${c.oldSecretValid ? 'YES' : 'no'}) [${expect(ok, `concurrency (${variant}) not as promised`)}]`);
  }
  const churn = await stateChurn(CHURN);
  fiveXX += churn.fiveXX;
  line(`   states set up, used and torn down: ${churn.cycles} (+300 warm-up), ${churn.requests} requests in ${s(churn.durationMs)}; unexpected 5xx ${churn.fiveXX}, documented 503 ${churn.documented503}`);
  line(`     tokens in memory before/after: ${churn.tokensBefore} / ${churn.tokensAfter} [${expect(churn.tokensAfter === churn.tokensBefore, 'teardown left tokens behind')}]`);
  line(`     memory before/after (after GC): heap ${churn.heapBeforeMB} MB -> ${churn.heapAfterMB} MB, rss ${churn.rssBeforeMB} MB -> ${churn.rssAfterMB} MB [${expect(churn.heapAfterMB - churn.heapBeforeMB < 24, `heap grew ${churn.heapAfterMB - churn.heapBeforeMB} MB`)}]`);
  line();
  return { fuzzCases: fuzz.total, concurrent, fiveXX, valid, memory: `${churn.heapBeforeMB} -> ${churn.heapAfterMB} MB heap` };
}

async function main() {
  const started = performance.now();
  line(`Reliability report, node ${process.version} on ${process.platform}/${process.arch}, ${new Date().toISOString()}\n`);
  const leak = await leakScan();
  const configs = await badConfigurations();
  const faults = await targetFaults();
  const load = await mockUnderLoad();
  line('Summary');
  line(`   secrets found in artifacts: ${leak.hits} (of ${leak.secretsSearched} searched over two full runs)`);
  line(`   bad configurations tried: ${configs}, ended as promised: ${configs - problems.filter((p) => p.startsWith('bad configuration')).length}`);
  line(`   target faults survived: ${faults.survived}/${faults.tried}`);
  line(`   fuzz cases: ${load.fuzzCases}; concurrent requests: ${load.concurrent}; 5xx from the mock: ${load.fiveXX}; valid secrets at the end: ${load.valid}`);
  line(`   memory over the state series: ${load.memory}`);
  line(`   wall time: ${s(performance.now() - started)}`);
  if (problems.length) {
    line(`\nReliability: FAIL — ${problems.length} figure${problems.length === 1 ? '' : 's'} not as promised:`);
    for (const p of problems) line(`   ${p}`);
    process.exitCode = 1;
  } else {
    line('\nReliability: PASS — every figure is as promised.');
  }
}

main().catch((e) => {
  process.stderr.write(`reliability: ${(e as Error).message}\n`);
  process.exitCode = 2;
});
