/**
 * Live mode's parts, in process, against the reference mock in its
 * live-framework personality: the pacer, the safety guard (the configured
 * token's secret is never regenerated), every state the arranger can make,
 * what it skips and why, the opt-in burst, and cleanup at every level. The
 * run's start and end (credentials check, sweep by run prefix) are in
 * live-run.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/env.ts';
import { Pacer } from '../../src/engine/pacer.ts';
import { runCatalogue } from '../../src/runner/run-catalogue.ts';
import { runScenario, SafetyGuardError } from '../../src/engine/run-scenario.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { scenarioById } from '../../src/operations/regenerate-secret/catalogue.ts';
import { SecretRegistry } from '../../src/model/redact.ts';
import { ArrangementInconclusiveError, NotArrangedError, StateSkippedError } from '../../src/arrange/arranger.ts';
import { THROWAWAY_PREFIX } from '../../src/arrange/live-names.ts';
import { startLiveTarget, type LiveTarget } from '../support/live-target.ts';
const { catalogue } = regenerateSecret;

const ids = (tokens: { id: string }[]) => tokens.map((t) => t.id).sort();

test('the pacer lets the first request go at once, without waiting on a timer', async () => {
  const pacer = new Pacer(0.01);
  // A turn that needed a timer (even of 0 ms) would lose this race to setImmediate.
  const first = await Promise.race([pacer.wait().then(() => 'went'), new Promise((resolve) => setImmediate(() => resolve('waited')))]);
  assert.equal(first, 'went');
});

test('the pacer spaces request starts 1000/rps ms apart', async () => {
  const pacer = new Pacer(20);
  const starts: number[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 5 }, async () => {
    await pacer.wait();
    starts.push(performance.now() - t0);
  }));
  starts.sort((a, b) => a - b);
  // Lower bounds only: a busy machine can only make the gaps longer.
  for (let i = 1; i < starts.length; i++) assert.ok(starts[i]! - starts[i - 1]! >= 45, `requests ${i} and ${i + 1} are ${starts[i]! - starts[i - 1]!} ms apart`);
  assert.throws(() => new Pacer(0), /positive/);
});

test('live configuration: pacing and burst bound have defaults and are validated', () => {
  const base = { BASE_URL: 'http://127.0.0.1:1/core/v1', KATAPULT_API_TOKEN: 't0k3n-value', KATAPULT_ORGANIZATION: 'org' };
  const c = loadConfig(base);
  assert.equal(c.liveRequestsPerSecond, 2);
  assert.equal(c.liveRateLimitBurstMax, 1000);
  assert.equal(c.liveRateLimitBurst, false);
  assert.equal(loadConfig({ ...base, LIVE_REQUESTS_PER_SECOND: '0.5', LIVE_RATE_LIMIT_BURST_MAX: '50', LIVE_RATE_LIMIT_BURST: 'true' }).liveRequestsPerSecond, 0.5);
  assert.throws(() => loadConfig({ ...base, LIVE_REQUESTS_PER_SECOND: '0' }), (e: unknown) => e instanceof ConfigError && /LIVE_REQUESTS_PER_SECOND="0"/.test((e as Error).message));
  assert.throws(() => loadConfig({ ...base, LIVE_RATE_LIMIT_BURST_MAX: '-3' }), (e: unknown) => e instanceof ConfigError && /LIVE_RATE_LIMIT_BURST_MAX="-3"/.test((e as Error).message));
});

describe('the safety guard: the configured token\'s secret is never regenerated', () => {
  let live: LiveTarget;
  before(async () => (live = await startLiveTarget()));
  after(() => live.close());

  test('it refuses the configured token as bearer, and any id this run did not create; it allows made-up ids and its own throwaways', async () => {
    const { arranger } = live.arranger();
    const admin = live.account.adminToken;
    const body = (id: unknown) => ({ kind: 'json' as const, value: { api_token: { id } } });
    assert.match(arranger.guard({ auth: { kind: 'bearer', secret: admin }, body: body('conformance-missing-x') })!, /configured KATAPULT_API_TOKEN is never sent/);
    assert.match(arranger.guard({ auth: { kind: 'raw', value: `Bearer ${admin}` }, body: { kind: 'none' } })!, /configured KATAPULT_API_TOKEN/);
    // Any operation (the sweep's too): never with the configured token, and the refusal names the operation.
    assert.match(arranger.guard({ auth: { kind: 'bearer', secret: admin }, body: { kind: 'none' }, operation: { id: 'get:widgets', method: 'GET', path: '/widgets' } })!, /never sent by a scenario \(here GET \/widgets\)/);
    assert.match(arranger.guard({ auth: { kind: 'none' }, body: body(live.account.adminTokenId) })!, new RegExp(`token ${live.account.adminTokenId} is not a throwaway token this run created`));
    assert.match(arranger.guard({ auth: { kind: 'none' }, body: { kind: 'raw', text: JSON.stringify({ api_token: { id: live.account.adminTokenId } }), contentType: 'application/json' } })!, /not a throwaway/);
    assert.equal(arranger.guard({ auth: { kind: 'bearer', secret: 'conformance-unknown-1' }, body: body('conformance-missing-1') }), undefined);
    assert.equal(arranger.guard({ auth: { kind: 'none' }, body: body(5) }), undefined);
    assert.equal(arranger.guard({ auth: { kind: 'none' }, body: { kind: 'raw', text: '{"api_token": {"id": ', contentType: 'application/json' } }), undefined);
    const state = await arranger.setup('token_can_regenerate', 'guard-1');
    assert.equal(arranger.guard({ auth: { kind: 'bearer', secret: state.bearer }, body: body(state.api_token.id) }), undefined);
    await arranger.teardown('token_can_regenerate', 'guard-1');
    assert.match(arranger.guard({ auth: { kind: 'bearer', secret: state.bearer }, body: body(state.api_token.id) })!, /not a throwaway/, 'a deleted throwaway is no longer allowed');
  });

  test('the engine refuses before sending: a state whose bearer and secret are the configured token leaves it unchanged', async () => {
    const requests: string[] = [];
    const watched = await startLiveTarget({ onResponse: (e) => requests.push(`${e.method} ${e.path}`) });
    try {
      const { target } = watched.arranger();
      const admin = watched.account.adminToken;
      const hostile = { bearer: admin, secret: admin, api_token: { id: watched.account.adminTokenId } };
      for (const id of ['200-regenerates-secret', '200-second-regeneration', '404-api_token_not_found']) {
        await assert.rejects(runScenario(regenerateSecret, scenarioById(id), hostile, target), (e: unknown) => e instanceof SafetyGuardError && /nothing was sent/.test((e as Error).message));
      }
      // The configured token's id with another bearer is refused too.
      const other = { bearer: 'conformance-unknown-bearer', secret: 'conformance-unknown-bearer', api_token: { id: watched.account.adminTokenId } };
      await assert.rejects(runScenario(regenerateSecret, scenarioById('200-regenerates-secret'), other, target), SafetyGuardError);
      assert.deepEqual(requests.filter((r) => r.includes('regenerate_secret')), [], 'nothing reached regenerate_secret');
      assert.ok(await watched.adminSecretWorks(), 'the admin token\'s secret is unchanged');
    } finally {
      await watched.close();
    }
  });
});

describe('arranging states through the API', () => {
  let live: LiveTarget;
  before(async () => (live = await startLiveTarget()));
  after(() => live.close());

  test('each arrangeable state makes one throwaway token with a recognisable name, and teardown deletes it', async () => {
    const before = await live.listTokens();
    const { arranger, secrets } = live.arranger({ expiryLifetimeSeconds: 1 });
    const expectations = {
      token_can_regenerate: { scopes: ['api_tokens'], networks: [] as string[] },
      scope_not_granted: { scopes: ['api_tokens:read'], networks: [] as string[] },
      network_not_authorized: { scopes: ['api_tokens'], networks: ['192.0.2.0/24'] },
      token_expired: { scopes: ['api_tokens'], networks: [] as string[] },
    } as const;
    for (const [state, exp] of Object.entries(expectations) as [keyof typeof expectations, (typeof expectations)[keyof typeof expectations]][]) {
      const answer = await arranger.setup(state, `i-${state}`);
      const listed = (await live.listTokens()).filter((t) => !ids(before).includes(t.id));
      assert.equal(listed.length, 1, `${state}: one throwaway token`);
      assert.equal(listed[0]!.id, answer.api_token.id);
      assert.match(listed[0]!.name, new RegExp(`^${arranger.prefix}${state}-[0-9a-f]{6}$`));
      assert.ok(arranger.prefix.startsWith(THROWAWAY_PREFIX));
      assert.deepEqual(answer.api_token.scopes, exp.scopes);
      assert.deepEqual(answer.api_token.authorized_ip_addresses, exp.networks);
      assert.ok(!('secret' in answer.api_token), 'the token is answered as stored, without its secret');
      assert.ok(secrets.has(answer.bearer), 'the bearer is registered as a secret');
      if (state === 'token_can_regenerate') assert.equal(answer.secret, answer.bearer, 'the token regenerates itself');
      if (state === 'token_expired') assert.ok((answer.api_token.expires_at as number) * 1000 <= Date.now(), 'the token has expired by the time setup answers');
      else assert.ok((answer.api_token.expires_at as number) > Date.now() / 1000 + 3000, 'every throwaway expires by itself within the hour');
      assert.equal(await arranger.teardown(state, `i-${state}`), undefined);
      assert.deepEqual(ids(await live.listTokens()), ids(before), `${state}: deleted after its scenario`);
    }
  });

  test('states live mode cannot arrange are unavailable with a reason that names the way to arrange them', () => {
    const { arranger } = live.arranger();
    for (const state of ['capabilities_token_invalid', 'permission_denied', 'validation_fails', 'service_unavailable'] as const) {
      const a = arranger.availability(state);
      assert.equal(a.ok, false, state);
      assert.match((a as { reason: string }).reason, new RegExp(`live mode cannot arrange "${state}": .+STATE_URL`));
    }
    const burst = arranger.availability('rate_limit_reached');
    assert.equal(burst.ok, false);
    assert.match((burst as { reason: string }).reason, /set LIVE_RATE_LIMIT_BURST=true .* at most 1000 requests/);
    for (const state of ['token_can_regenerate', 'token_expired', 'network_not_authorized', 'scope_not_granted'] as const) assert.equal(arranger.availability(state).ok, true, state);
  });

  test('an expiry the suite would wait too long for is skipped with the reason, and its token deleted at once', async () => {
    const before = await live.listTokens();
    const { arranger } = live.arranger({ expiryLifetimeSeconds: 30, expiryMaxWaitMs: 2000 });
    await assert.rejects(arranger.setup('token_expired', 'slow'), (e: unknown) => e instanceof StateSkippedError && /more than the 2 s the suite waits/.test((e as Error).message));
    assert.deepEqual(ids(await live.listTokens()), ids(before));
  });

  test('close() deletes whatever the arranger still holds (a worker that ends mid-run)', async () => {
    const before = await live.listTokens();
    const { arranger } = live.arranger();
    await arranger.setup('token_can_regenerate', 'a');
    await arranger.setup('scope_not_granted', 'b');
    assert.equal((await live.listTokens()).length, before.length + 2);
    await arranger.close();
    assert.deepEqual(ids(await live.listTokens()), ids(before));
  });

  test('a teardown whose token is already gone is fine', async () => {
    const { arranger } = live.arranger();
    const a = await arranger.setup('token_can_regenerate', 'gone');
    await fetch(`${live.address.baseUrl}/api_tokens/api_token`, { method: 'DELETE', headers: { authorization: `Bearer ${live.account.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ api_token: { id: a.api_token.id } }) });
    assert.equal(await arranger.teardown('token_can_regenerate', 'gone'), undefined);
  });

  test('a configured token without the api_tokens scope: not arranged, naming the scope', async () => {
    const create = await fetch(`${live.address.baseUrl}/organizations/organization/api_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${live.account.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ organization: { id: live.account.organization.id }, properties: { name: 'reader', scopes: ['api_tokens:read'] } }),
    });
    const reader = (await create.json()).api_token;
    const secrets = new SecretRegistry();
    const { arranger } = live.arranger({ credentials: { token: reader.secret, organization: live.account.organization.id }, secrets });
    await assert.rejects(arranger.setup('token_can_regenerate', 'x'), (e: unknown) => e instanceof NotArrangedError && /403 scope_not_granted.*needs the api_tokens scope/.test((e as Error).message) && !(e as Error).message.includes(reader.secret));
  });

  test('429 on the token management, even after retries, makes the scenario inconclusive', async () => {
    const limited = await startLiveTarget({ live: { adminRateLimit: 1 } });
    try {
      const { arranger } = limited.arranger({ retries: 0 });
      await arranger.setup('token_can_regenerate', 'first'); // the admin token's one request of the window
      await assert.rejects(arranger.setup('token_can_regenerate', 'second'), (e: unknown) => e instanceof ArrangementInconclusiveError && /429 rate_limit_reached/.test((e as Error).message));
    } finally {
      await limited.close();
    }
  });
});

describe('the opt-in rate-limit burst', () => {
  test('opted in: a bounded burst from a throwaway token stops at the first 429, and the scenario passes', async () => {
    const requests: string[] = [];
    const live = await startLiveTarget({ live: { tokenRateLimit: 25 }, onResponse: (e) => requests.push(`${e.method} ${e.path} ${e.status}`) });
    try {
      const before = await live.listTokens();
      const { target } = live.arranger({ burst: true, burstMax: 200 });
      const [result] = await runCatalogue(target, regenerateSecret, [scenarioById('429-rate_limit_reached')]);
      assert.equal(result!.outcome, 'passed', JSON.stringify(result!.findings));
      const regen = requests.filter((r) => r.includes('regenerate_secret'));
      // 25 within the limit, the first 429, at most 3 more already in flight, then the scenario's own request.
      assert.ok(regen.length >= 27 && regen.length <= 30, `${regen.length} requests`);
      assert.ok(regen.filter((r) => r.endsWith(' 429')).length <= 5);
      assert.deepEqual(ids(await live.listTokens()), ids(before));
    } finally {
      await live.close();
    }
  });

  test('a bound below the limit: skipped with the reason naming LIVE_RATE_LIMIT_BURST_MAX, and never more requests than the bound', async () => {
    let sent = 0;
    const live = await startLiveTarget({ live: { tokenRateLimit: 50 }, onResponse: (e) => e.path.endsWith('regenerate_secret') && sent++ });
    try {
      const { arranger } = live.arranger({ burst: true, burstMax: 20 });
      await assert.rejects(arranger.setup('rate_limit_reached', 'b'), (e: unknown) => e instanceof StateSkippedError && /no 429 after 20 requests .* rate_limit is 50 .*LIVE_RATE_LIMIT_BURST_MAX=20/.test((e as Error).message));
      assert.equal(sent, 20);
      assert.equal((await live.listTokens()).length, 1, 'its token was deleted');
    } finally {
      await live.close();
    }
  });
});

test('a 429 met outside the rate-limit scenario is inconclusive in live mode, not a conformance failure', async () => {
  const live = await startLiveTarget({ live: { tokenRateLimit: 1 } });
  try {
    const { target, arranger } = live.arranger();
    const [result] = await runCatalogue(target, regenerateSecret, [scenarioById('200-second-regeneration')]);
    assert.equal(result!.outcome, 'inconclusive', JSON.stringify(result));
    assert.match(result!.reason!, /"second regeneration" met 429 rate_limit_reached outside the rate-limit scenario/);
    // The same answer against a mock with provider states would be a failure: only live mode treats it as the environment's.
    const [strict] = await runCatalogue({ ...target, mode: 'state' }, regenerateSecret, [scenarioById('200-second-regeneration')]);
    assert.equal(strict!.outcome, 'failed');
    await arranger.close();
    assert.equal((await live.listTokens()).length, 1);
  } finally {
    await live.close();
  }
});

describe('the whole catalogue in process against the live personality', () => {
  test('wrapped: the arrangeable scenarios pass, the others are skipped with reasons, and the token list is the same after', async () => {
    const live = await startLiveTarget();
    try {
      const before = await live.listTokens();
      const { target, arranger } = live.arranger({ expiryLifetimeSeconds: 1 });
      const results = await runCatalogue(target, regenerateSecret);
      await arranger.close();
      const skipped = results.filter((r) => r.outcome === 'skipped').map((r) => r.id).sort();
      assert.deepEqual(skipped, ['403-invalid_capabilities_token', '403-permission_denied', '422-validation_error', '429-rate_limit_reached', '503-service_unavailable']);
      for (const r of results.filter((x) => x.outcome !== 'skipped')) assert.equal(r.outcome, 'passed', `${r.id}: ${JSON.stringify(r.findings.filter((f) => f.severity === 'error'))}`);
      assert.equal(results.filter((r) => r.outcome === 'passed').length, catalogue.length - 5);
      // The framework's undocumented 400 codes are warnings naming the status and the code.
      const badInput = results.filter((r) => r.id.startsWith('422-bad-input-'));
      for (const r of badInput) assert.match(r.findings.find((f) => f.check === 'error_code')!.message, /^refused with 400 (invalid_argument|missing_required_argument|invalid_json_body), not the 422 validation_error this operation documents for bad input/);
      assert.deepEqual(ids(await live.listTokens()), ids(before));
      assert.ok(await live.adminSecretWorks());
    } finally {
      await live.close();
    }
  });
});
