/**
 * check-states judges a provider-state endpoint on its own: the bundled mock
 * passes; an endpoint with one wrong field in one state is named by state and
 * field, exits 1, and its values (secrets) are never printed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMock, type Mock } from '../../src/mock/server.ts';
import { STATE_NAMES, STATE_FIELDS } from '../../src/protocol/provider-states.ts';
import { judgeSetupAnswer } from '../../src/arrange/check-states.ts';
import { runCheckStatesCli } from '../../src/arrange/check-states-cli.ts';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  // An empty .env path: a developer's own .env stays out of the test.
  const code = await runCheckStatesCli(argv, { DOTENV_CONFIG_PATH: '/nonexistent/.env' }, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const rowOf = (out: string, state: string) => out.split('\n').find((l) => l.startsWith(`${state} `)) ?? '';

const BEARER = 'tiny-server-bearer-0123456789abcdef';

/** A state endpoint that answers every state right, except `broken` which gets `patch` merged into its answer. */
function tinyStateServer(broken: string, patch: Record<string, unknown>): Promise<{ url: string; server: Server; teardowns: () => number }> {
  let teardowns = 0;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const msg = JSON.parse(text);
      if (msg.action === 'teardown') {
        teardowns++;
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        return;
      }
      const answer: Record<string, unknown> = { bearer: BEARER, api_token: { id: 'tok_1', name: 'x' }, secret: BEARER, total_permitted: 120, headers: { 'X-Capabilities-Token': 'nope' } };
      if (msg.state === broken) Object.assign(answer, patch);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/states`, server, teardowns: () => teardowns })),
  );
}

describe('check-states against the bundled reference mock', () => {
  let mock: Mock;
  let stateUrl: string;
  before(async () => {
    mock = createMock();
    ({ stateUrl } = await mock.listen(0));
  });
  after(() => mock.close());

  test('every state is ok, exit 0, and every setup was torn down', async () => {
    const r = await run(['--state-url', stateUrl]);
    assert.equal(r.code, 0, r.out + r.err);
    for (const state of STATE_NAMES) assert.match(rowOf(r.out, state), /\b200\s+200\s+ok$/, state);
    assert.match(r.out, /check-states: PASS/);
    assert.equal(mock.tokenCount(), 0);
  });
});

describe('check-states against an endpoint with one wrong field in one state', () => {
  let tiny: Awaited<ReturnType<typeof tinyStateServer>>;
  let r: Awaited<ReturnType<typeof run>>;
  before(async () => {
    tiny = await tinyStateServer('rate_limit_reached', { total_permitted: '120' });
    r = await run(['--state-url', tiny.url]);
  });
  after(() => tiny.server.close());

  test('names that state and that field, with the fix, and exits 1', () => {
    assert.equal(r.code, 1, r.out);
    const row = rowOf(r.out, 'rate_limit_reached');
    assert.match(row, /WRONG/);
    assert.match(row, /"total_permitted" is a string, must be an integer/);
    assert.match(row, /as a JSON integer/);
    assert.match(r.out, /check-states: FAIL — 1 of 9 states/);
  });

  test('every other state is ok, and every state was torn down', () => {
    for (const state of STATE_NAMES.filter((s) => s !== 'rate_limit_reached')) assert.match(rowOf(r.out, state), /\bok$/, state);
    assert.equal(tiny.teardowns(), STATE_NAMES.length);
  });

  test('no value of an answer is printed', () => {
    assert.doesNotMatch(r.out, new RegExp(BEARER));
  });

  test('--state limits the check to the states named', async () => {
    const only = await run(['--state-url', tiny.url, '--state', 'token_expired']);
    assert.equal(only.code, 0, only.out);
    assert.equal(only.out.split('\n').filter((l) => /\b(ok|WRONG)\b/.test(l)).length, 1);
  });
});

describe('judging one setup answer', () => {
  const good = { bearer: 'b', api_token: { id: 't' }, secret: 's', total_permitted: 5, headers: { A: 'x' } };
  const judge = (state: (typeof STATE_NAMES)[number], body: unknown, status = 200) => judgeSetupAnswer(state, { status, text: typeof body === 'string' ? body : JSON.stringify(body) });

  test('a complete answer is right for every state', () => {
    for (const state of STATE_NAMES) assert.deepEqual(judge(state, good), [], state);
  });

  test('each required field missing is named, for every state', () => {
    for (const state of STATE_NAMES)
      for (const field of STATE_FIELDS[state]) {
        const body: Record<string, unknown> = { ...good };
        delete body[field];
        const problems = judge(state, body);
        assert.deepEqual(problems.map((p) => p.field), [field], `${state} without ${field}`);
        assert.match(problems[0]!.what, new RegExp(`"${field}" is missing`));
      }
  });

  test('optional fields are judged only when present; null counts as absent', () => {
    assert.deepEqual(judge('token_expired', { bearer: 'b', api_token: { id: 't' }, secret: null }), []);
    assert.deepEqual(judge('token_expired', { bearer: 'b', api_token: { id: 't' }, headers: { A: 1 } }).map((p) => p.what), ['"headers" has "A" that is an integer, must be an object whose values are all strings']);
  });

  test('api_token without an id, bearer of the wrong type', () => {
    assert.match(judge('token_expired', { bearer: 'b', api_token: {} })[0]!.what, /"api_token" has no "id"/);
    assert.match(judge('token_expired', { bearer: 'b', api_token: { id: 7 } })[0]!.what, /"id" that is an integer/);
    assert.match(judge('token_expired', { bearer: '', api_token: { id: 't' } })[0]!.what, /"bearer" is an empty string/);
  });

  test('a non-2xx status, a body that is not JSON, a JSON array', () => {
    assert.match(judge('token_expired', good, 404)[0]!.what, /setup answered HTTP 404/);
    assert.match(judge('token_expired', '<html>')[0]!.what, /not JSON/);
    assert.match(judge('token_expired', [1])[0]!.what, /an array, not a JSON object/);
  });
});

describe('check-states usage errors exit 2', () => {
  test('no state endpoint, a bad URL, an unknown flag, an unknown state', async () => {
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['--state-url', 'not a url'])).code, 2);
    assert.equal((await run(['--bogus'])).code, 2);
    const r = await run(['--state-url', 'http://127.0.0.1:9/x', '--state', 'no_such_state']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown state "no_such_state"/);
  });

  test('an endpoint nothing answers on: every state says so, exit 1', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await run(['--state-url', `http://127.0.0.1:${port}/states`, '--timeout-ms', '5000']);
    assert.equal(r.code, 1);
    assert.match(rowOf(r.out, 'token_can_regenerate'), /setup got no answer: connection refused/);
  });
});
