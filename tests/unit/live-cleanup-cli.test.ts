/**
 * `npm run cleanup` (src/arrange/live-cleanup-cli.ts) as a real process against the
 * reference mock's live personality: it deletes the throwaway tokens of any
 * run (or of one run) by name, touches nothing else, never prints a secret,
 * and refuses to run without the live configuration.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretRegistry } from '../../src/model/redact.ts';
import { LiveApi } from '../../src/arrange/live-api.ts';
import { startLiveTarget, type LiveTarget } from '../support/live-target.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'src/arrange/live-cleanup-cli.ts');

function cleanup(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DOTENV_CONFIG_PATH: path.join(ROOT, 'no-such.env') };
  for (const v of ['BASE_URL', 'STATE_URL', 'KATAPULT_API_TOKEN', 'KATAPULT_ORGANIZATION']) delete childEnv[v];
  Object.assign(childEnv, env);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let live: LiveTarget;
let api: LiveApi;
before(async () => {
  live = await startLiveTarget();
  api = new LiveApi({ baseUrl: live.address.baseUrl, credentials: { token: live.account.adminToken, organization: live.account.organization.id }, timeoutMs: 5000, secrets: new SecretRegistry() });
});
after(() => live.close());

const make = async (name: string) => (await api.create({ name, scopes: ['api_tokens'], authorized_ip_addresses: [], expires_at: null })).token;

test('deletes every run\'s leftovers by prefix (after a dry run), or one run\'s, and nothing else', async () => {
  const a = await make('conformance-suite-20250101T000000-aaaaaa-token_can_regenerate-111111');
  const b = await make('conformance-suite-20250101T000000-aaaaaa-scope_not_granted-222222');
  const c = await make('conformance-suite-20250202T000000-bbbbbb-token_expired-333333');
  const keep = await make('production-token');
  const names = async () => (await live.listTokens()).map((t) => t.name).sort();

  const dry = await cleanup(['--dry-run'], live.env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /Would delete 3 throwaway token\(s\) named conformance-suite-… in organization sub-domain conformance-rehearsal/);
  assert.equal((await names()).length, 5, 'a dry run deletes nothing');

  const one = await cleanup(['--run-id', '20250101T000000-aaaaaa'], live.env);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, new RegExp(`deleted ${a.id} `));
  assert.match(one.stdout, new RegExp(`deleted ${b.id} `));
  assert.match(one.stdout, /Deleted 2 throwaway token\(s\) named conformance-suite-20250101T000000-aaaaaa-…/);
  assert.ok((await names()).includes(c.name!));

  const all = await cleanup([], live.env);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /Deleted 1 throwaway token/);
  assert.deepEqual(await names(), [keep.name, 'Rehearsal admin token of conformance-rehearsal'].sort());
  for (const out of [dry, one, all]) {
    assert.ok(!`${out.stdout}${out.stderr}`.includes(live.account.adminToken), 'the configured token is never printed');
    for (const t of [a, b, c]) assert.ok(!`${out.stdout}${out.stderr}`.includes(t.secret));
  }
  await api.delete(keep.id);
});

test('refuses to run without the live configuration (exit 2), and says why a refused token fails (exit 1)', async () => {
  const none = await cleanup([], { BASE_URL: live.address.baseUrl });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /needs the live-mode configuration: set BASE_URL, KATAPULT_API_TOKEN and KATAPULT_ORGANIZATION/);
  const usage = await cleanup(['--bogus'], live.env);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /Unknown option '--bogus'/);
  const refused = await cleanup([], { ...live.env, KATAPULT_API_TOKEN: 'a-token-nobody-issued' });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /403 invalid_api_token/);
  assert.ok(!refused.stderr.includes('a-token-nobody-issued'));
});
