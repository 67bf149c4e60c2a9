/**
 * examples/vendor-mock/ is a starting point that conforms. Started as a
 * vendor would start it, its state endpoint passes check-states here; the full
 * suite runs against it through the installed package in package.test.ts
 * (one run serves both proofs: full runs are the expensive part of npm test).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCheckStatesCli } from '../../src/arrange/check-states-cli.ts';
import { startExampleVendorMock, type ExampleVendorMock } from '../support/example-vendor-mock.ts';

describe('the example vendor mock', () => {
  let mock: ExampleVendorMock;
  before(async () => {
    mock = await startExampleVendorMock();
  });
  after(() => mock?.stop());

  test('check-states: every state answers as the protocol asks, exit 0', async () => {
    let out = '';
    const code = await runCheckStatesCli(['--state-url', mock.stateUrl], { DOTENV_CONFIG_PATH: '/nonexistent/.env' }, { out: (t) => (out += t), err: (t) => (out += t) });
    assert.equal(code, 0, out);
    assert.match(out, /check-states: PASS — all 9 states/);
  });

  test('the operation answers as documented on its own paths: no Authorization → 400 missing_api_token', async () => {
    const res = await fetch(`${mock.baseUrl}/api_tokens/api_token/regenerate_secret`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(((await res.json()) as { code: string }).code, 'missing_api_token');
  });
});
