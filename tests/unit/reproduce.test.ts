import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { buildReproduction, curlCommand, reproductionText, shellWord } from '../../src/report/reproduce.ts';
import { requestTemplate } from '../../src/engine/request-template.ts';
import { SecretRegistry, MASK } from '../../src/model/redact.ts';
import type { ExchangeRecord } from '../../src/engine/exchange.ts';

const echo = (word: string, env: Record<string, string> = {}) => execFileSync('sh', ['-c', `printf %s ${word}`], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });

test('a shell word keeps every literal character and expands only the named placeholders', () => {
  const names = new Set(['BEARER', 'API_TOKEN_ID']);
  assert.equal(shellWord('Authorization: Bearer $BEARER', names), '"Authorization: Bearer $BEARER"');
  const body = `{"api_token":{"id":"$API_TOKEN_ID"},"x":"it's $HOME \`and\` \\\\"}`;
  const word = shellWord(body, names);
  assert.equal(echo(word, { API_TOKEN_ID: 'tok_1', HOME: '/root' }), `{"api_token":{"id":"tok_1"},"x":"it's $HOME \`and\` \\\\"}`);
});

test('the template names every credential with its origin and never holds its value', () => {
  const state = { bearer: 'state-bearer-value-123', secret: 'old-secret-value-456', api_token: { id: 'tok_9' }, headers: { 'X-Capabilities-Token': 'cap-value-789' } };
  const sent = { Accept: 'application/json', 'X-Capabilities-Token': MASK, Authorization: MASK, 'Content-Type': 'application/json' };
  const t = requestTemplate({ label: 'r', auth: { kind: 'bearer', secret: 'new-secret-000' }, headers: state.headers, body: { kind: 'none' } }, sent, '{"api_token":{"id":"tok_9"}}', { state, stateName: 'token_can_regenerate', live: false, issued: [{ secret: 'new-secret-000', request: 1, label: 'regenerate' }] });
  assert.deepEqual(t.headers, [['Accept', 'application/json'], ['X-Capabilities-Token', '$STATE_HEADER_X_CAPABILITIES_TOKEN'], ['Authorization', 'Bearer $NEW_SECRET'], ['Content-Type', 'application/json']]);
  assert.equal(t.body, '{"api_token":{"id":"$API_TOKEN_ID"}}');
  assert.deepEqual(t.placeholders.map((p) => p.name), ['STATE_HEADER_X_CAPABILITIES_TOKEN', 'NEW_SECRET', 'API_TOKEN_ID']);
  assert.match(t.placeholders[1].origin, /the api_token\.secret of the 200 answer to request 1 \("regenerate"\)/);
  const text = JSON.stringify(t);
  for (const secret of [state.bearer, state.secret, 'cap-value-789', 'new-secret-000']) assert.ok(!text.includes(secret));
  // Masking leaves a placeholder readable, a value not.
  const r = new SecretRegistry();
  assert.equal(r.redactText('Authorization: Bearer $BEARER'), 'Authorization: Bearer $BEARER');
  assert.equal(r.redactText('Authorization: Bearer abc.def'), `Authorization: Bearer ${MASK}`);
});

test('a reproduction: setup, the requests up to the failing one, teardown; with the run\'s statuses', () => {
  const x = (label: string, status: number): ExchangeRecord => ({ label, request: 'POST http://127.0.0.1:1/core/v1/op', requestHeaders: {}, status, durationMs: 1, template: { headers: [['Authorization', 'Bearer $BEARER']], body: '{}', placeholders: [{ name: 'BEARER', origin: 'the "bearer" field of the setup answer of state s' }] } });
  const r = buildReproduction({ exchanges: [x('regenerate', 200), x('follow-up', 500), x('later', 200)], findings: [{ check: 'status_documented', severity: 'error', message: 'm', exchange: 'follow-up' }] }, { mode: 'state', stateUrl: 'http://127.0.0.1:1/_states', stateName: 's', scenarioId: 'id' })!;
  assert.deepEqual(r.steps.map((s) => [s.kind, s.failing ?? false, s.status ?? null]), [['setup', false, null], ['request', false, 200], ['request', true, 500], ['teardown', false, null]]);
  assert.match(r.steps[0].command, /"action":"setup"/);
  const text = reproductionText(r);
  assert.match(text, /#   \$BEARER: the "bearer" field of the setup answer of state s/);
  assert.match(text, /# request 2: follow-up \(FAILED\), the run received 500/);
  assert.equal(curlCommand('POST', 'http://h/x', [], undefined, []), "curl -sS -i -X POST 'http://h/x'");
  assert.equal(buildReproduction({ exchanges: [], findings: [] }, { mode: 'state', stateUrl: null, stateName: null, scenarioId: 'x' }), undefined);
});
