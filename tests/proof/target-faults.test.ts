/**
 * A target that misbehaves on the wire (through the fault proxy): it stalls
 * past REQUEST_TIMEOUT_MS, answers HTML, sends 50 MB, resets the connection
 * or redirects. The run completes, each affected scenario fails with a
 * message that says what happened, the others are unaffected, and the
 * reports are written. In process (the engine and arrangers, without
 * Playwright's runner) and as the real `playwright test` run.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { send } from '../../src/engine/exchange.ts';
import { checkResponse } from '../../src/checks/response.ts';
import { SecretRegistry } from '../../src/model/redact.ts';
import { loadSchemas } from '../../src/operations/run-schemas.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import type { ScenarioResult } from '../../src/engine/run-scenario.ts';
import { runInProcessThroughProxy, runTargetFaults, STATE_ENDPOINT_FAULTS, TARGET_FAULTS } from '../support/reliability/target-fault-runs.ts';
const { catalogue } = regenerateSecret;
const OPERATION_ID = regenerateSecret.id;

const schemas = loadSchemas();
/**
 * The suite's default: a starved machine (the whole catalogue, the mock and
 * the proxy share this one process) must not time out the unaffected
 * scenarios; the stall costs one of it.
 */
const TIMEOUT_MS = 10_000;
/** A stalled state endpoint holds both setup and teardown of 19 scenarios: a shorter timeout keeps that test quick. */
const STATE_TIMEOUT_MS = 300;
/**
 * Only catches a hang (a stall that is never given up): each run ends by
 * itself far sooner, however busy the machine. How long the runs take is a
 * figure of `npm run reliability`, not an assertion.
 */
const HANG_GUARD = { timeout: 400_000 };

describe('in process, through the fault proxy', () => {
  const messages = (r: ScenarioResult) => r.findings.filter((f) => f.severity === 'error').map((f) => f.message).join('\n');

  test('all five faults in one run: each breaks only its scenario, with a message naming what happened', HANG_GUARD, async () => {
    const { results } = await runInProcessThroughProxy(TARGET_FAULTS.map((f) => f.rule), TIMEOUT_MS);
    const byId = new Map(results.map((r) => [r.id, r]));
    for (const f of TARGET_FAULTS) {
      const r = byId.get(f.scenario)!;
      assert.equal(r.outcome, 'failed', f.rule);
      assert.match(messages(r), f.message, f.rule);
    }
    const aimed = new Set(TARGET_FAULTS.map((f) => f.scenario));
    for (const r of results.filter((x) => !aimed.has(x.id))) assert.equal(r.outcome, 'passed', `${r.id}: ${messages(r)}`);
    assert.equal(results.length, catalogue.length);
  });

  test('the 50 MB body is neither read into the report nor kept: the record says its size', async () => {
    const { results } = await runInProcessThroughProxy(['huge-body@scenario=422-validation_error'], TIMEOUT_MS);
    const r = results.find((x) => x.id === '422-validation_error')!;
    assert.equal(r.exchanges[0].responseBody, '(52428800 bytes, not read: over the suite\'s limit of 1048576 bytes)');
    assert.ok(JSON.stringify(r).length < 20_000);
  });

  for (const { rule, reason } of STATE_ENDPOINT_FAULTS) {
    test(`a state endpoint that faults (${rule}): every stateful scenario not arranged, saying why; the others pass`, HANG_GUARD, async () => {
      const stateTimeout = rule.startsWith('stall') ? STATE_TIMEOUT_MS : TIMEOUT_MS;
      const { results } = await runInProcessThroughProxy([rule], TIMEOUT_MS, stateTimeout);
      for (const r of results) {
        const stateful = catalogue.find((c) => c.id === r.id)!.state !== null;
        if (stateful) {
          assert.equal(r.outcome, 'not_arranged', r.id);
          assert.match(r.reason!, reason(stateTimeout));
        } else assert.equal(r.outcome, 'passed', `${r.id}: ${messages(r)}`);
      }
    });
  }
});

test('a chunked body over the limit (no Content-Length) is cut off and judged by its size', async () => {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    for (let i = 0; i < 40; i++) res.write('x'.repeat(64 * 1024));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  try {
    const x = await send({ label: 'big', auth: { kind: 'none' }, body: { kind: 'none' } }, { method: 'POST', baseUrl: `http://127.0.0.1:${port}`, path: 'x', timeoutMs: 5000, maxBodyBytes: 1024 * 1024 });
    // Streamed without a length: reading stops at the limit, the rest is never held.
    assert.deepEqual(x.response?.oversize, { bytes: 1024 * 1024, limit: 1024 * 1024, atLeast: true });
    assert.equal(x.response?.text, '');
    const verdict = checkResponse(x, { statuses: [200] }, { operationId: OPERATION_ID, schemas, envelope: 'flat', secrets: new SecretRegistry() });
    assert.deepEqual(verdict.findings.map((f) => f.check), ['body_size']);
  } finally {
    server.close();
  }
});

describe('the real suite (npx playwright test) behind the fault proxy', () => {
  let r: Awaited<ReturnType<typeof runTargetFaults>>;
  before(async () => {
    r = await runTargetFaults(TIMEOUT_MS);
  }, HANG_GUARD);

  test('completes, exits non-zero, and writes every report', () => {
    assert.equal(r.exitCode, 1);
    assert.equal(r.verdict, 'fail');
    assert.deepEqual(r.reportsMissing, []);
  });

  test('timeouts and resets leave no credential in any report (the leak scan passes)', () => {
    assert.match(r.leakScanLine, /^Leak scan: PASS/);
  });

  for (const f of TARGET_FAULTS) {
    test(`${f.rule.split('@')[0]}: ${f.scenario} failed, saying what happened`, () => {
      const got = r.faults.find((x) => x.rule === f.rule)!;
      assert.equal(got.timesBroken, 1, 'the proxy broke exactly one request');
      assert.equal(got.outcome, 'failed');
      assert.ok(got.messageMatched, got.message);
    });
  }

  test('every other scenario is unaffected (passed)', () => {
    assert.equal(r.unaffected.total, catalogue.length - TARGET_FAULTS.length);
    assert.deepEqual(r.unaffected.notPassed, []);
  });
});
