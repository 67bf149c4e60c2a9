/**
 * A live run's start and end, in process, against the reference mock in its
 * live-framework personality: the run id, the credentials checked with the
 * token list, and this run's leftovers swept by their name prefix (the token
 * list followed across pages).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/env.ts';
import { SecretRegistry } from '../../src/model/redact.ts';
import { LiveApi, type LiveToken } from '../../src/arrange/live-api.ts';
import { newRunId, RUN_ID_VARIABLE, THROWAWAY_PREFIX } from '../../src/arrange/live-names.ts';
import { prepareLiveRun } from '../../src/arrange/live-run.ts';
import { startLiveTarget, type LiveTarget } from '../support/live-target.ts';

const ids = (tokens: { id: string }[]) => tokens.map((t) => t.id).sort();

test('run ids are timestamped and unique', () => {
  assert.match(newRunId(new Date('2025-01-02T03:04:05Z')), /^20250102T030405-[0-9a-f]{6}$/);
  assert.notEqual(newRunId(), newRunId());
});

describe('the run: credentials checked at the start, this run\'s leftovers swept at the end', () => {
  let live: LiveTarget;
  before(async () => (live = await startLiveTarget()));
  after(() => live.close());

  const config = (env: Record<string, string>) => loadConfig({ ...live.env, LIVE_REQUESTS_PER_SECOND: '100', ...env }) as ReturnType<typeof loadConfig> & { baseUrl: string; live: { token: string; organization: string } };

  test('unusable credentials are one configuration sentence naming the variable, never the token', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ KATAPULT_API_TOKEN: 'not-the-admin-token' }, /^KATAPULT_API_TOKEN was refused by the deployment \(.*403 invalid_api_token/],
      [{ KATAPULT_ORGANIZATION: 'no-such-org' }, /^KATAPULT_ORGANIZATION="no-such-org": the deployment knows no such organization/],
      [{ KATAPULT_ORGANIZATION: live.account.other.organization.sub_domain }, /^KATAPULT_API_TOKEN may not list the API tokens of KATAPULT_ORGANIZATION/],
      [{ BASE_URL: `${live.address.origin}/wrong/v9` }, /does not serve the token-management operations/],
    ];
    for (const [env, message] of cases) {
      const c = config(env);
      await assert.rejects(prepareLiveRun(c, new SecretRegistry(), () => {}, {}), (e: unknown) => e instanceof ConfigError && message.test((e as Error).message) && !(e as Error).message.includes(c.live.token));
    }
  });

  test('the organization may be given by id; the teardown deletes this run\'s tokens only, and says so', async () => {
    const env: NodeJS.ProcessEnv = {};
    const lines: string[] = [];
    const c = config({ KATAPULT_ORGANIZATION: live.account.organization.id });
    const teardown = await prepareLiveRun(c, new SecretRegistry(), (l) => lines.push(l), env);
    const runId = env[RUN_ID_VARIABLE]!;
    assert.match(runId, /^\d{8}T\d{6}-[0-9a-f]{6}$/);
    assert.match(lines[0]!, new RegExp(`organization id ${live.account.organization.id}; throwaway tokens of this run are named conformance-suite-${runId}-`));
    const api = new LiveApi({ baseUrl: c.baseUrl, credentials: c.live, timeoutMs: 5000, secrets: new SecretRegistry() });
    const mk = (name: string) => api.create({ name, scopes: [], authorized_ip_addresses: [], expires_at: null });
    const mine = await mk(`conformance-suite-${runId}-token_can_regenerate-aaaaaa`);
    const earlier = await mk('conformance-suite-20200101T000000-000000-scope_not_granted-bbbbbb');
    const unrelated = await mk('conformance-suitcase');
    await teardown();
    const left = ids(await live.listTokens());
    assert.ok(!left.includes(mine.token.id), 'this run\'s leftover is deleted');
    assert.ok(left.includes(earlier.token.id) && left.includes(unrelated.token.id), 'nothing else is touched');
    assert.match(lines.at(-1)!, /deleted 1 leftover throwaway token\(s\) of this run/);
    // The next run notices the earlier run's leftover and names the command.
    const next: string[] = [];
    await prepareLiveRun(c, new SecretRegistry(), (l) => next.push(l), {});
    assert.match(next.join('\n'), /1 throwaway token\(s\) of earlier runs .* "npm run cleanup" deletes them/);
    const swept = await api.deleteByPrefix(THROWAWAY_PREFIX);
    assert.deepEqual(swept.deleted.map((t: LiveToken) => t.id), [earlier.token.id]);
    await assert.rejects(api.deleteByPrefix('conformance-'), /refusing to delete by a prefix other than conformance-suite-/);
    await api.delete(unrelated.token.id);
  });

  test('the list follows pagination', async () => {
    const c = config({});
    const api = new LiveApi({ baseUrl: c.baseUrl, credentials: c.live, timeoutMs: 5000, secrets: new SecretRegistry() });
    const made = [];
    for (let i = 0; i < 105; i++) made.push((await api.create({ name: `page-${i}`, scopes: [], authorized_ip_addresses: [], expires_at: null })).token.id);
    const listed = await api.list();
    assert.equal(listed.length, 106);
    for (const id of made) await api.delete(id);
    assert.equal((await api.list()).length, 1);
  });
});
