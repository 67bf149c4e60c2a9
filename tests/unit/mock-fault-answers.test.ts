/**
 * What the reference mock's faulty answers look like: the envelope, content
 * type and fields each fault changes, 500s still JSON, and the state
 * endpoint's faults. (Which behaviours each fault breaks: mock-faults.test.ts.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMock, type Mock, type MockAddress } from '../../src/mock/server.ts';
import type { FaultName } from '../../src/mock/faults.ts';
import { idBody, OP } from '../support/mock-fault-survey.ts';

describe('what the faulty answers look like', () => {
  async function withMock<T>(faults: FaultName[], fn: (addr: MockAddress, mock: Mock) => Promise<T>): Promise<T> {
    const mock = createMock({ faults });
    const addr = await mock.listen(0);
    try {
      return await fn(addr, mock);
    } finally {
      await mock.close();
    }
  }

  test('wrapped-errors: {"error": {code, description, detail}} with x-api-schema: json-error; 200 not wrapped', () =>
    withMock(['wrapped-errors'], async (addr) => {
      const res = await fetch(addr.baseUrl + OP, { method: 'POST' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('x-api-schema'), 'json-error');
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      const body = await res.json();
      assert.deepEqual(Object.keys(body), ['error']);
      assert.equal(body.error.code, 'missing_api_token');
      assert.deepEqual(body.error.detail, {});
      const st = await (await fetch(addr.stateUrl, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'w' } }) })).json();
      const ok = await fetch(addr.baseUrl + OP, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` }, body: JSON.stringify(idBody(st.api_token.id)) });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('x-api-schema'), null);
      assert.equal(typeof (await ok.json()).api_token.secret, 'string');
    }));

  test('error-text-content-type: same JSON text, text/plain', () =>
    withMock(['error-text-content-type'], async (addr) => {
      const res = await fetch(addr.baseUrl + OP, { method: 'POST' });
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(JSON.parse(await res.text()).code, 'missing_api_token');
    }));

  test('error-missing-description: code and detail only', () =>
    withMock(['error-missing-description'], async (addr) => {
      const body = await (await fetch(addr.baseUrl + OP, { method: 'POST' })).json();
      assert.deepEqual(Object.keys(body), ['code', 'detail']);
    }));

  test('undocumented-field: created_at is an integer; everything else as documented', () =>
    withMock(['undocumented-field'], async (addr) => {
      const st = await (await fetch(addr.stateUrl, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'u' } }) })).json();
      const body = await (await fetch(addr.baseUrl + OP, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` }, body: JSON.stringify(idBody(st.api_token.id)) })).json();
      assert.ok(Number.isInteger(body.api_token.created_at));
      const { created_at, secret, ...rest } = body.api_token;
      assert.deepEqual(rest, st.api_token);
    }));

  test('error-leaks-secret: the expired bearer appears in detail.details', () =>
    withMock(['error-leaks-secret'], async (addr) => {
      const st = await (await fetch(addr.stateUrl, { method: 'POST', body: JSON.stringify({ state: 'token_expired', params: { instance: 'l' } }) })).json();
      const body = await (await fetch(addr.baseUrl + OP, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` }, body: JSON.stringify(idBody(st.api_token.id)) })).json();
      assert.equal(body.code, 'invalid_api_token');
      assert.ok(body.detail.details.includes(st.bearer));
    }));

  test('500 answers of faults are JSON', () =>
    withMock(['bad-input-no-body-500'], async (addr) => {
      const st = await (await fetch(addr.stateUrl, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'f' } }) })).json();
      const res = await fetch(addr.baseUrl + OP, { method: 'POST', headers: { authorization: `Bearer ${st.bearer}` } });
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal((await res.json()).code, 'internal_server_error');
    }));

  test('state-missing-bearer still arranges (teardown removes it); state-endpoint-500 arranges nothing', async () => {
    await withMock(['state-missing-bearer'], async (addr, mock) => {
      const res = await fetch(addr.stateUrl, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'b' } }) });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.bearer, undefined);
      assert.equal(typeof body.api_token.id, 'string');
      assert.equal(mock.tokenCount(), 2);
      await fetch(addr.stateUrl, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'b' }, action: 'teardown' }) });
      assert.equal(mock.tokenCount(), 0);
    });
    await withMock(['state-endpoint-500'], async (addr, mock) => {
      const res = await fetch(addr.stateUrl, { method: 'POST', body: JSON.stringify({ state: 'token_can_regenerate', params: { instance: 'b' } }) });
      assert.equal(res.status, 500);
      assert.equal((await res.json()).code, 'internal_server_error');
      assert.equal(mock.tokenCount(), 0);
    });
  });
});
