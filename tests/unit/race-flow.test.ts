/**
 * The racing-regenerations flow's verdict, against scripted answers: a loser
 * refused (a correct but unusual target) passes; two valid secrets, none, or
 * the old one surviving a 200 fail, naming both answers' times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { racingRegenerations } from '../../src/operations/regenerate-secret/race-flow.ts';
import { SecretRegistry } from '../../src/model/redact.ts';
import type { CallOutcome, FlowRun, FlowScenario } from '../../src/operations/types.ts';
import type { Finding } from '../../src/model/finding.ts';

const TOKEN = { id: 'apitok_race', name: 'n', organization_id: 'org_1', authorized_ip_addresses: [], expires_at: null, rate_limit: 600, scopes: ['api_tokens'] };
const OLD = 'old-secret-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const ok = (secret: string): CallOutcome => ({ status: 200, body: { api_token: { ...TOKEN, secret } }, receivedAt: '2026-12-01T22:00:00.123Z', durationMs: 12 });
const refused: CallOutcome = { status: 403, body: { code: 'invalid_api_token', description: 'd', detail: {} }, receivedAt: '2026-12-01T22:00:00.125Z', durationMs: 14 };
const notFound: CallOutcome = { status: 404, body: { code: 'api_token_not_found', description: 'd', detail: {} } };

/** A FlowRun whose racing answers and valid secrets are scripted. */
function fakeRun(racing: CallOutcome[], validSecrets: string[]): { run: FlowRun; findings: Finding[]; probed: string[] } {
  const findings: Finding[] = [];
  const probed: string[] = [];
  const run: FlowRun = {
    state: { bearer: 'caller-bearer-cccccccccccccccccccccccc', secret: OLD, api_token: TOKEN },
    secrets: new SecretRegistry(),
    settings: { secretStrength: 'warn' },
    bearerAuth: () => ({ auth: { kind: 'bearer', secret: 'caller-bearer-cccccccccccccccccccccccc' } }),
    report: (f) => findings.push(...f),
    callTogether: async (calls) => calls.map((_, i) => racing[i]!),
    call: async (plan) => {
      const secret = plan.auth.kind === 'bearer' ? plan.auth.secret : '';
      probed.push(plan.label);
      return validSecrets.includes(secret) ? notFound : refused;
    },
  };
  return { run, findings, probed };
}

const scenario = { id: 'race', title: 't', status: 200, variant: null, state: 'token_can_regenerate', kind: 'behaviour', flow: 'racing-regenerations' } as FlowScenario;
const errors = (fs: Finding[]) => fs.filter((f) => f.severity === 'error');

test('both answer 200 and only the later secret is valid: passes', async () => {
  const { run, findings, probed } = fakeRun([ok('secret-one-1111111111111111111111111111'), ok('secret-two-2222222222222222222222222222')], ['secret-two-2222222222222222222222222222']);
  await racingRegenerations(run, scenario);
  assert.deepEqual(errors(findings), []);
  assert.deepEqual(probed, ['after the race: the secret before regeneration', 'after the race: the secret of racing regeneration 1', 'after the race: the secret of racing regeneration 2']);
});

test('the loser is refused (the token regenerated itself first): passes', async () => {
  const { run, findings } = fakeRun([refused, ok('secret-two-2222222222222222222222222222')], ['secret-two-2222222222222222222222222222']);
  await racingRegenerations(run, scenario);
  assert.deepEqual(errors(findings), []);
});

test('two valid secrets fail, naming both and both answers\' times', async () => {
  const { run, findings } = fakeRun([ok('secret-one-1111111111111111111111111111'), ok('secret-two-2222222222222222222222222222')], ['secret-one-1111111111111111111111111111', 'secret-two-2222222222222222222222222222']);
  await racingRegenerations(run, scenario);
  const [f] = errors(findings);
  assert.equal(f!.check, 'race_single_winner');
  assert.match(f!.message, /2 secrets authenticate \(the secret of racing regeneration 1, the secret of racing regeneration 2\); exactly one may: the winner's\. racing regeneration 1 answered 200 at 22:00:00\.123Z \(after 12 ms\); racing regeneration 2 answered 200 at 22:00:00\.123Z \(after 12 ms\)/);
  assert.ok(!JSON.stringify(findings).includes('secret-one-1111'), 'no secret in the finding');
});

test('no valid secret, or the old one surviving a 200, fails', async () => {
  const none = fakeRun([ok('secret-one-1111111111111111111111111111'), refused], []);
  await racingRegenerations(none.run, scenario);
  assert.match(errors(none.findings)[0]!.message, /no secret authenticates .*racing regeneration 2 answered 403 at 22:00:00\.125Z/);
  const survived = fakeRun([ok('secret-one-1111111111111111111111111111'), refused], [OLD]);
  await racingRegenerations(survived.run, scenario);
  assert.match(errors(survived.findings)[0]!.message, /the old secret still authenticates and no answered one does/);
  // Neither won: the old secret is the one that must stay valid.
  const neither = fakeRun([refused, refused], [OLD]);
  await racingRegenerations(neither.run, scenario);
  assert.deepEqual(errors(neither.findings), []);
});
