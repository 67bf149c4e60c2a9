/**
 * `npm run mock -- --personality live` as a real process: it prints the
 * BASE_URL, KATAPULT_API_TOKEN and KATAPULT_ORGANIZATION that the suite's live
 * mode needs (and no STATE_URL), and those values work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HANG_GUARD_MS } from '../support/hang-guard.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'src/mock/cli.ts');

test('--personality live prints BASE_URL, KATAPULT_API_TOKEN and KATAPULT_ORGANIZATION, and they work', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--personality', 'live'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + HANG_GUARD_MS;
    while (!/^PID=\d+ /m.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the CLI did not start: ${out}${err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.match(out, /\(live personality\)/);
    assert.doesNotMatch(out, /STATE_URL=/, 'there is no provider-state endpoint to print');
    assert.match(out, /^ERROR_ENVELOPE=wrapped$/m);
    const baseUrl = /^BASE_URL=(\S+)$/m.exec(out)![1]!;
    const token = /^KATAPULT_API_TOKEN=(\S+)$/m.exec(out)![1]!;
    const organization = /^KATAPULT_ORGANIZATION=(\S+)$/m.exec(out)![1]!;
    assert.equal(organization, 'conformance-rehearsal');
    const res = await fetch(`${baseUrl}/organizations/organization/api_tokens?organization[sub_domain]=${organization}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.api_tokens.length, 1);
    assert.equal(body.api_tokens[0].organization_id.startsWith('org_'), true);
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.equal(err, '');
  } finally {
    child.kill('SIGKILL');
  }
});
