/**
 * An HTTP client of the reference mock's operation and provider states, for the
 * mock's in-process tests: answers read once, the documented error shape asserted.
 */
import assert from 'node:assert/strict';
import { createMock, type MockAddress, type MockOptions } from '../../src/mock/server.ts';
import { DESCRIPTIONS } from '../../src/mock/errors.ts';
import { parseJsonOrUndefined } from '../../src/model/json.ts';
export interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  json: any;
  headers: Headers;
}

export const OP = '/api_tokens/api_token/regenerate_secret';
export const DOCUMENTED_FIELDS = ['authorized_ip_addresses', 'expires_at', 'id', 'name', 'organization_id', 'rate_limit', 'scopes', 'secret'];

export async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  const json: unknown = parseJsonOrUndefined(text);
  return { status: res.status, contentType: res.headers.get('content-type'), text, json, headers: res.headers };
}

export function client(addr: MockAddress) {
  let n = 0;
  return {
    async state(state: string, extra: Record<string, unknown> = {}, instance = `i${++n}`): Promise<any> {
      const res = await fetch(addr.stateUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state, params: { instance }, action: 'setup', ...extra }),
      });
      assert.equal(res.status, 200, `state ${state} setup`);
      return res.json();
    },
    /** body: object -> JSON; string -> sent verbatim; undefined -> no body. */
    async regen(opts: { bearer?: string; authorization?: string; body?: unknown; headers?: Record<string, string> }): Promise<Answer> {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.authorization !== undefined) headers.authorization = opts.authorization;
      else if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
      let body: string | undefined;
      if (typeof opts.body === 'string') body = opts.body;
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] = 'application/json';
      }
      return answer(await fetch(addr.baseUrl + OP, { method: 'POST', headers, body }));
    },
  };
}

export const idBody = (id: unknown) => ({ api_token: { id } });

export function assertError(a: Answer, status: number, code: string): any {
  assert.equal(a.status, status, `expected ${status} ${code}, got ${a.status} ${a.text}`);
  assert.equal(a.contentType, 'application/json; charset=utf-8');
  assert.deepEqual(Object.keys(a.json).sort(), ['code', 'description', 'detail']);
  assert.equal(a.json.code, code);
  assert.equal(a.json.description, (DESCRIPTIONS as Record<string, string>)[code]);
  assert.ok(a.json.detail !== null && typeof a.json.detail === 'object' && !Array.isArray(a.json.detail), 'detail is an object');
  return a.json.detail;
}

export async function started(options?: MockOptions) {
  const mock = createMock(options);
  const addr = await mock.listen(0);
  return { mock, addr, c: client(addr) };
}
