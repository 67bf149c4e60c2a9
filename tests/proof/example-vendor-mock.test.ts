/**
 * examples/vendor-mock/ is a starting point that conforms: started as a vendor
 * would start it, its state endpoint passes check-states and the real suite
 * passes every scenario against it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { runCheckStatesCli } from '../../src/states/check-states-cli.ts';
import { runSuite, type SuiteRun } from '../support/run-suite.ts';
import { startExampleVendorMock, type ExampleVendorMock } from '../support/example-vendor-mock.ts';

const { catalogue } = regenerateSecret;

describe('the example vendor mock', () => {
  let mock: ExampleVendorMock;
  let run: SuiteRun;
  before(async () => {
    mock = await startExampleVendorMock();
    run = await runSuite({ BASE_URL: mock.baseUrl, STATE_URL: mock.stateUrl });
  });
  after(() => mock?.stop());

  test('check-states: every state answers as the protocol asks, exit 0', async () => {
    let out = '';
    const code = await runCheckStatesCli(['--state-url', mock.stateUrl], { DOTENV_CONFIG_PATH: '/nonexistent/.env' }, { out: (t) => (out += t), err: (t) => (out += t) });
    assert.equal(code, 0, out);
    assert.match(out, /check-states: PASS — all 9 states/);
  });

  test('the suite passes every scenario of the catalogue against it, exit 0', () => {
    assert.equal(run.code, 0, run.output);
    const report = run.json();
    assert.equal(report.verdict, 'pass');
    assert.equal(report.mode, 'state');
    assert.equal(report.target, mock.baseUrl);
    const scenarios = report.scenarios as any[];
    assert.deepEqual(scenarios.map((s) => s.id).sort(), catalogue.map((c) => c.id).sort());
    for (const s of scenarios) assert.equal(s.outcome, 'passed', `${s.id}: ${s.messages.join('; ')}`);
  });
});
