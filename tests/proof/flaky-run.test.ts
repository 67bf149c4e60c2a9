/**
 * Flaky, end to end: a target that breaks one scenario's request once (the
 * fault proxy resets the connection of the first request of
 * 404-api_token_not_found, `#1`) and then behaves. With
 * CONFORMANCE_RETRIES=1 the real `playwright test` run retries it, it passes
 * the second time, and it is flaky: the gate fails (exit non-zero, the reason
 * says flaky, JUnit has the flakyFailure with the first attempt's words)
 * unless CONFORMANCE_ALLOW_FLAKY=true, which passes the same run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFaultProxy, type FaultProxy } from '../../src/fault-proxy/proxy.ts';
import { parseFaultRule } from '../../src/fault-proxy/rules.ts';
import { createMock, type Mock } from '../../src/mock/server.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { runSuite, type SuiteRun } from '../support/run-suite.ts';
const { catalogue } = regenerateSecret;

const FLAKY = '404-api_token_not_found';
const RULE = `reset@scenario=${FLAKY}#1`;

/** A run through a fresh proxy (the fault's count starts again) in front of a fresh mock. */
async function runOnceBroken(env: Record<string, string>): Promise<{ run: SuiteRun; faulted: number }> {
  const mock: Mock = createMock();
  const upstream = await mock.listen(0, '127.0.0.1');
  const proxy: FaultProxy = createFaultProxy({ upstream: upstream.origin, rules: [parseFaultRule(RULE)] });
  const { origin } = await proxy.listen(0, '127.0.0.1');
  try {
    const run = await runSuite({ BASE_URL: `${origin}/core/v1`, STATE_URL: `${origin}/_provider-states`, CONFORMANCE_WORKERS: '1', ...env });
    const faulted = Object.values(proxy.stats().faulted).reduce((a, b) => a + b, 0);
    return { run, faulted };
  } finally {
    await proxy.close();
    await mock.close();
  }
}

const scenario = (run: SuiteRun, id: string) => run.json().scenarios.find((s: any) => s.id === id);

describe('a scenario that fails once, then passes on its retry', () => {
  let gated: { run: SuiteRun; faulted: number };
  let allowed: { run: SuiteRun; faulted: number };
  before(async () => {
    gated = await runOnceBroken({ CONFORMANCE_RETRIES: '1' });
    allowed = await runOnceBroken({ CONFORMANCE_RETRIES: '1', CONFORMANCE_ALLOW_FLAKY: 'true' });
  });

  test('the target was broken exactly once in each run', () => {
    assert.equal(gated.faulted, 1, gated.run.output);
    assert.equal(allowed.faulted, 1, allowed.run.output);
  });

  test('it is flaky, with the first attempt\'s message; every other scenario passed at once', () => {
    const s = scenario(gated.run, FLAKY);
    assert.equal(s.outcome, 'flaky', JSON.stringify(s));
    assert.equal(s.attempts, 2);
    assert.ok(s.messages.some((m: string) => /connection reset by the target/.test(m)), s.messages.join('\n'));
    const others = gated.run.json().scenarios.filter((x: any) => x.id !== FLAKY);
    assert.equal(others.length, catalogue.length - 1);
    assert.deepEqual(others.filter((x: any) => x.outcome !== 'passed').map((x: any) => `${x.id}: ${x.outcome}`), []);
  });

  test('by default a flaky scenario fails the gate: exit non-zero, the reason says flaky, JUnit has the flakyFailure', () => {
    assert.notEqual(gated.run.code, 0, gated.run.output);
    const report = gated.run.json();
    assert.equal(report.verdict, 'fail');
    assert.match(report.verdictReason, /flaky/);
    const junit = gated.run.file('junit.xml');
    assert.match(junit, /<failure message="[^"]*" type="flaky">/);
    assert.match(junit, /<flakyFailure message="[^"]*connection reset by the target/);
  });

  test('CONFORMANCE_ALLOW_FLAKY=true passes the same run, still naming the flaky scenario', () => {
    assert.equal(allowed.run.code, 0, allowed.run.output);
    const report = allowed.run.json();
    assert.equal(report.verdict, 'pass');
    assert.equal(scenario(allowed.run, FLAKY).outcome, 'flaky');
    assert.doesNotMatch(allowed.run.file('junit.xml'), /type="flaky">/);
  });
});
