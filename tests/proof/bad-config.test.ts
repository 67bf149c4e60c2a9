/**
 * Bad configuration, through the real `playwright test` run: an unreachable
 * or silent BASE_URL, a STATE_URL that answers 500, HTML or nothing, a spec
 * that is unreadable or invalid, schemas stale for the spec, unknown or
 * malformed settings, live variables half set. Each ends quickly with one
 * clear message naming the problem, a non-zero exit, no stack trace, and a
 * report that says "fail".
 *
 * Three cases of BAD_CONFIG_CASES are proven by suite-cli.test.ts already (an
 * unknown ERROR_ENVELOPE, half-set live credentials, and a state endpoint that
 * answers 500, there through the mock's state-endpoint-500 fault); they are not
 * run twice here, to keep `npm test` short. `npm run reliability` runs all.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BAD_CONFIG_CASES, runBadConfig, startBadServers } from '../support/reliability/suite-runs.ts';

const PROVEN_IN_SUITE_CLI = new Set(['unknown ERROR_ENVELOPE', 'live credentials half set', 'STATE_URL answers 500']);

describe('unusable configuration', () => {
  let servers: Awaited<ReturnType<typeof startBadServers>>;
  before(async () => {
    servers = await startBadServers();
  });
  after(() => servers.close());

  test('the cases left to suite-cli.test.ts exist there', () => {
    assert.equal(BAD_CONFIG_CASES.filter((c) => PROVEN_IN_SUITE_CLI.has(c.name)).length, PROVEN_IN_SUITE_CLI.size);
  });

  for (const c of BAD_CONFIG_CASES.filter((x) => !PROVEN_IN_SUITE_CLI.has(x.name))) {
    test(`${c.name}: one clear message, non-zero exit, no stack trace, no hang`, async () => {
      const r = await runBadConfig(c, servers);
      assert.equal(r.exitCode, 1, `${c.name}: exit ${r.exitCode}`);
      assert.ok(r.messageMatched, `${c.name}: expected ${c.message}, got: ${r.message}`);
      assert.equal(r.stackFrames, 0, `${c.name}: stack frames in the output`);
      assert.ok(r.reportSaysFail, `${c.name}: conformance.json does not say fail`);
      assert.ok(r.durationMs < 30_000, `${c.name}: took ${r.durationMs} ms`);
      assert.ok(!r.message.includes('half-set-token-0123456789'), 'the configured token is printed');
    });
  }
});
