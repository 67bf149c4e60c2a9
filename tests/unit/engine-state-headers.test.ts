/**
 * The contract: a state's `headers` are "sent verbatim on every request of
 * that scenario that uses the state's bearer". A tiny target records what
 * each request carried.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { runScenario, type EngineContext } from '../../src/engine/run-scenario.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { scenarioById } from '../../src/operations/regenerate-secret/catalogue.ts';
import { SecretRegistry } from '../../src/model/redact.ts';
import { loadSchemas } from '../../src/operations/run-schemas.ts';
import type { StateAnswer } from '../../src/arrange/arranger.ts';

const seen: { authorization?: string; capability?: string }[] = [];
let n = 0;
const server = http.createServer((req, res) => {
  seen.push({ authorization: req.headers.authorization, capability: req.headers['x-cap'] as string | undefined });
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    const auth = req.headers.authorization ?? '';
    // The token's secrets in turn: s0 (stored), s1, s2 ...; only the newest is valid.
    if (auth === `Bearer s${n}` || auth === 'Bearer admin-bearer') {
      n++;
      res.end(JSON.stringify({ api_token: { id: 't1', name: 'n', secret: `s${n}` } }));
    } else {
      res.statusCode = 403;
      res.end(JSON.stringify({ code: 'invalid_api_token', description: 'd', detail: {} }));
    }
  });
});
let ctx: EngineContext;

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ctx = {
    baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/core/v1`,
    mode: 'state',
    envelope: 'flat',
    requestTimeoutMs: 5000,
    schemas: loadSchemas(),
    secrets: new SecretRegistry(),
  } as EngineContext;
});
after(async () => {
  server.close();
});

const state = (bearer: string): StateAnswer => ({ bearer, secret: 's0', api_token: { id: 't1', name: 'n' }, headers: { 'X-Cap': 'cap-1' } });

test('self-regenerating token: the old-secret follow-up is the state bearer, so it carries the state headers', async () => {
  seen.length = 0;
  n = 0;
  const result = await runScenario(regenerateSecret, scenarioById('200-old-secret-rejected'), state('s0'), ctx);
  assert.equal(result.outcome, 'passed', JSON.stringify(result.findings));
  assert.deepEqual(seen.map((s) => s.capability), ['cap-1', 'cap-1']);
});

test('a separate bearer: only its own requests carry the headers, not the old secret of the regenerated token', async () => {
  seen.length = 0;
  n = 0;
  const result = await runScenario(regenerateSecret, scenarioById('200-old-secret-rejected'), state('admin-bearer'), ctx);
  assert.equal(result.outcome, 'passed', JSON.stringify(result.findings));
  assert.deepEqual(seen.map((s) => [s.authorization, s.capability]), [['Bearer admin-bearer', 'cap-1'], ['Bearer s0', undefined]]);
});

test('self-regenerating token: the second regeneration uses the new secret with the state headers', async () => {
  seen.length = 0;
  n = 0;
  const result = await runScenario(regenerateSecret, scenarioById('200-second-regeneration'), state('s0'), ctx);
  assert.equal(result.outcome, 'passed', JSON.stringify(result.findings));
  assert.deepEqual(seen.map((s) => [s.authorization, s.capability]), [['Bearer s0', 'cap-1'], ['Bearer s1', 'cap-1']]);
});

test('against a real deployment a later 429 makes a scenario inconclusive only if nothing had failed before it', async () => {
  const spoil = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization === 'Bearer admin-bearer') {
        // The regeneration itself is wrong: the name changed.
        res.end(JSON.stringify({ api_token: { id: 't1', name: 'renamed', secret: 'fresh-secret-1' } }));
      } else {
        res.statusCode = 429;
        res.end(JSON.stringify({ code: 'rate_limit_reached', description: 'd', detail: { total_permitted: 5 } }));
      }
    });
  });
  await new Promise<void>((r) => spoil.listen(0, '127.0.0.1', r));
  try {
    const live = { ...ctx, mode: 'live' as const, baseUrl: `http://127.0.0.1:${(spoil.address() as { port: number }).port}/core/v1` };
    const failed = await runScenario(regenerateSecret, scenarioById('200-old-secret-rejected'), state('admin-bearer'), live);
    assert.equal(failed.outcome, 'failed', 'the earlier failure stands');
    assert.ok(failed.findings.some((f) => f.check === 'fields_unchanged'));
    // Nothing wrong before the 429: inconclusive.
    const clean = await runScenario(regenerateSecret, scenarioById('403-permission_denied'), state('other-bearer'), live);
    assert.equal(clean.outcome, 'inconclusive');
  } finally {
    spoil.close();
  }
});
