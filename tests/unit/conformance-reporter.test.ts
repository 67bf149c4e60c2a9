/**
 * The conformance reporter, fed by hand: how test results become scenario
 * outcomes, the verdict and the exit status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ConformanceReporter from '../../src/report/conformance-reporter.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { RESULT_ATTACHMENT } from '../../src/report/test-annotations.ts';
const { catalogue } = regenerateSecret;

type Status = 'passed' | 'failed' | 'skipped' | 'timedOut';

function testCase(id: string, testId = id) {
  return { id: testId, annotations: [{ type: 'scenario', description: id }], timeout: 30_000 } as any;
}

function result(status: Status, outcome?: string, skipReason?: string, retry = 0) {
  const attachments = outcome
    ? [{ name: RESULT_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify({ id: 'x', outcome, findings: [], exchanges: [] })) }]
    : [];
  return { status, retry, duration: 5, attachments, errors: status === 'failed' ? [{ message: 'boom' }] : [], annotations: skipReason ? [{ type: 'skip', description: skipReason }] : [] } as any;
}

async function report(feed: (r: ConformanceReporter) => void, env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'reporter-'));
  const saved = { ...process.env };
  Object.assign(process.env, { BASE_URL: 'http://127.0.0.1:1/core/v1', STATE_URL: 'http://127.0.0.1:1/_provider-states', CONFORMANCE_BUNDLED_MOCK: '1', DOTENV_CONFIG_PATH: path.join(dir, 'none.env') }, env);
  const write = process.stdout.write;
  process.stdout.write = (() => true) as any;
  try {
    const r = new ConformanceReporter({ outputDir: dir });
    r.onBegin({} as any, {} as any);
    feed(r);
    const status = await r.onEnd({ status: 'passed' } as any);
    return { status, json: JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')), junit: readFileSync(path.join(dir, 'junit.xml'), 'utf8') };
  } finally {
    process.stdout.write = write;
    process.env = saved;
  }
}

const passAll = (r: ConformanceReporter) => {
  for (const c of catalogue) r.onTestEnd(testCase(c.id), result('passed', 'passed'));
};

test('all passed: verdict pass and the run status is left alone', async () => {
  const { status, json } = await report(passAll);
  assert.equal(json.verdict, 'pass');
  assert.equal(status, undefined);
  // Every scenario names its operation; the run lists its operations.
  const op = { id: 'post:api_token_regenerate_secret', method: 'POST', path: '/api_tokens/api_token/regenerate_secret' };
  for (const s of json.scenarios) assert.deepEqual(s.operation, op, s.id);
  assert.deepEqual(json.operations.map((o: any) => ({ id: o.id, method: o.method, path: o.path })), [op]);
  assert.deepEqual(json.operation, op);
  assert.ok(json.matrix.every((row: any) => row.operationId === op.id));
});

test('a failure then a pass on a retry is flaky, with the first attempt\'s findings; it fails the gate unless CONFORMANCE_ALLOW_FLAKY', async () => {
  const id = '403-scope_not_granted';
  const feed = (r: ConformanceReporter) => {
    for (const c of catalogue) if (c.id !== id) r.onTestEnd(testCase(c.id), result('passed', 'passed'));
    const first = result('failed', 'failed');
    first.attachments[0].body = Buffer.from(JSON.stringify({ id, outcome: 'failed', findings: [{ check: 'status', severity: 'error', message: 'first attempt got 500' }], exchanges: [] }));
    r.onTestEnd(testCase(id), first);
    r.onTestEnd(testCase(id), result('passed', 'passed', undefined, 1));
  };
  const { status, json } = await report(feed);
  const s = json.scenarios.find((x: any) => x.id === id);
  assert.equal(s.outcome, 'flaky');
  assert.equal(s.attempts, 2);
  assert.match(s.messages.join('\n'), /first attempt got 500/);
  assert.equal(json.verdict, 'fail');
  assert.match(json.verdictReason, /flaky/);
  assert.deepEqual(status, { status: 'failed' });
  const allowed = await report(feed, { CONFORMANCE_ALLOW_FLAKY: 'true' });
  assert.equal(allowed.json.verdict, 'pass');
  assert.equal(allowed.status, undefined);
  assert.match(allowed.junit, /<flakyFailure message="\[status\] first attempt got 500" type="conformance"/);
});

test('a failed run of a scenario run more than once (--repeat-each) is not hidden by a passing one', async () => {
  const { status, json } = await report((r) => {
    passAll(r);
    const id = '403-scope_not_granted';
    r.onTestEnd(testCase(id, 'repeat-1'), result('failed', 'failed'));
    r.onTestEnd(testCase(id, 'repeat-2'), result('passed', 'passed'));
  });
  assert.equal(json.scenarios.find((s: any) => s.id === '403-scope_not_granted').outcome, 'failed');
  assert.equal(json.verdict, 'fail');
  assert.deepEqual(status, { status: 'failed' });
});

test('nothing ran: every scenario skipped is a failed run, never a pass', async () => {
  const { status, json } = await report((r) => {
    for (const c of catalogue) r.onTestEnd(testCase(c.id), result('skipped', undefined, 'needs STATE_URL'));
  });
  assert.equal(json.verdict, 'fail');
  assert.match(json.verdictReason, /no scenario ran/);
  assert.deepEqual(status, { status: 'failed' });
  assert.equal(json.scenarios[0].reason, 'needs STATE_URL');
});

test('a timed-out scenario is failed and says so', async () => {
  const { json } = await report((r) => {
    passAll(r);
    r.onTestEnd(testCase('503-service_unavailable'), result('timedOut'));
  });
  const s = json.scenarios.find((x: any) => x.id === '503-service_unavailable');
  assert.equal(s.outcome, 'failed');
  assert.match(s.messages.join('\n'), /did not finish within/);
});
