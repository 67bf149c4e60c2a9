/**
 * The fault survey of the reference mock (tests/unit/mock-faults.test.ts):
 * one probe per documented behaviour (the same situations the contract's
 * scenarios arrange) against a mock with the given faults, and the list of
 * behaviours that do not hold, plus those that could not be arranged.
 */
import { isIP } from 'node:net';
import { isUtf8 } from 'node:buffer';
import { createMock, type Mock, type MockAddress } from '../../src/mock/server.ts';
import type { FaultName } from '../../src/mock/faults.ts';
import { parseJsonOrUndefined } from '../../src/model/json.ts';

export const OP = '/api_tokens/api_token/regenerate_secret';
const DOCUMENTED_FIELDS = ['authorized_ip_addresses', 'expires_at', 'id', 'name', 'organization_id', 'rate_limit', 'scopes', 'secret'];

export interface Exchange {
  status: number;
  contentType: string;
  schemaHeader: string | null;
  text: string;
  json: any;
  /** Every response header value, and the raw body. */
  headerValues: string[];
  bytes: Buffer;
}

class NotArranged extends Error {}

/** One mock, its operation exchanges, and helpers that record them. */
class Surveyor {
  readonly exchanges: Exchange[] = [];
  private n = 0;
  stateFailures = 0;
  constructor(
    readonly mock: Mock,
    readonly addr: MockAddress,
  ) {}

  async state(name: string): Promise<any> {
    const res = await fetch(this.addr.stateUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: name, params: { instance: `probe-${++this.n}` }, action: 'setup' }),
    });
    const text = await res.text();
    const json: any = parseJsonOrUndefined(text);
    if (res.status !== 200 || typeof json?.bearer !== 'string' || typeof json?.api_token?.id !== 'string') {
      this.stateFailures++;
      throw new NotArranged(name);
    }
    return json;
  }

  async call(opts: { authorization?: string; bearer?: string; body?: unknown; headers?: Record<string, string> }): Promise<Exchange> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.authorization !== undefined) headers.authorization = opts.authorization;
    else if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.addr.baseUrl + OP, { method: 'POST', headers, body });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    const headerValues: string[] = [];
    res.headers.forEach((v) => headerValues.push(v));
    const json: any = parseJsonOrUndefined(text);
    const x = { status: res.status, contentType: res.headers.get('content-type') ?? '', schemaHeader: res.headers.get('x-api-schema'), text, json, headerValues, bytes };
    this.exchanges.push(x);
    return x;
  }
}

/** The error code of an answer, looking through an envelope (the envelope itself is judged by all.flat-error-shape). */
const codeOf = (x: Exchange): unknown => (x.json?.error ?? x.json)?.code;
const detailOf = (x: Exchange): any => (x.json?.error ?? x.json)?.detail;
const is = (x: Exchange, status: number, code: string) => x.status === status && codeOf(x) === code;
export const idBody = (id: unknown) => ({ api_token: { id } });

type Probe = (s: Surveyor, fail: (behaviour: string) => void) => Promise<void>;

const PROBES: Record<string, Probe> = {
  async regeneration(s, fail) {
    const st = await s.state('token_can_regenerate');
    const r = await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) });
    const t = r.json?.api_token;
    if (r.status !== 200 || t === null || typeof t !== 'object' || !r.contentType.startsWith('application/json')) return fail('regen.200');
    if (t.id !== st.api_token.id) fail('regen.id');
    for (const k of ['name', 'organization_id', 'authorized_ip_addresses', 'expires_at', 'rate_limit', 'scopes']) {
      if (JSON.stringify(t[k]) !== JSON.stringify(st.api_token[k])) {
        fail('regen.fields-unchanged');
        break;
      }
    }
    if (Object.keys(t).some((k) => !DOCUMENTED_FIELDS.includes(k))) fail('regen.no-extra-fields');
    const secret = t.secret;
    if (typeof secret !== 'string' || secret === '' || secret === st.secret) fail('regen.secret-new');
    const old = await s.call({ bearer: st.secret, body: idBody('apitok_probe_unknown') });
    if (!is(old, 403, 'invalid_api_token')) fail('regen.old-secret-rejected');
    const fresh = await s.call({ bearer: String(secret), body: idBody('apitok_probe_unknown') });
    if (is(fresh, 400, 'missing_api_token') || is(fresh, 403, 'invalid_api_token')) fail('regen.new-secret-authenticates');
    const second = await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) });
    const s2 = second.json?.api_token?.secret;
    if (second.status !== 200 || s2 === secret || s2 === st.secret) fail('regen.second-differs');
  },
  async history(s, fail) {
    const st = await s.state('token_can_regenerate');
    const secrets: string[] = [st.secret];
    for (let round = 0; round < 3; round++) {
      const r = await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) });
      const secret = r.json?.api_token?.secret;
      if (r.status !== 200 || typeof secret !== 'string') return fail('regen.history-earlier-refused');
      for (const earlier of secrets) {
        if (!is(await s.call({ bearer: earlier, body: idBody('apitok_probe_unknown') }), 403, 'invalid_api_token')) return fail('regen.history-earlier-refused');
      }
      secrets.push(secret);
    }
    if (secrets.slice(1).some((x) => x.length < 20)) fail('regen.strong-secrets');
  },
  async durable(s, fail) {
    const st = await s.state('token_can_regenerate');
    const secret = (await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) })).json?.api_token?.secret;
    for (let use = 0; use < 3; use++) {
      const r = await s.call({ bearer: String(secret), body: idBody('apitok_probe_unknown') });
      if (is(r, 400, 'missing_api_token') || is(r, 403, 'invalid_api_token')) return fail('regen.new-secret-durable');
    }
  },
  async race(s, fail) {
    const st = await s.state('token_can_regenerate');
    const answers = await Promise.all([0, 1].map(() => s.call({ bearer: st.bearer, body: idBody(st.api_token.id) })));
    const candidates = [st.secret, ...answers.filter((a) => a.status === 200).map((a) => a.json?.api_token?.secret)];
    let valid = 0;
    for (const c of new Set(candidates)) if (!is(await s.call({ bearer: String(c), body: idBody('apitok_probe_unknown') }), 403, 'invalid_api_token')) valid++;
    if (valid !== 1) fail('regen.race-one-valid');
  },
  async missingAuth(s, fail) {
    const st = { api_token: { id: 'apitok_any' } };
    if (!is(await s.call({ body: idBody(st.api_token.id) }), 400, 'missing_api_token')) fail('auth.missing');
    if (!is(await s.call({ authorization: 'Basic dXNlcjpwYXNz', body: idBody('apitok_any') }), 400, 'missing_api_token')) fail('auth.basic');
    if (!is(await s.call({}), 400, 'missing_api_token')) fail('auth.before-body');
  },
  async unknownBearer(s, fail) {
    if (!is(await s.call({ bearer: 'probe-unknown-secret', body: idBody('apitok_any') }), 403, 'invalid_api_token')) fail('auth.unknown-bearer');
  },
  async expired(s, fail) {
    const st = await s.state('token_expired');
    if (!is(await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) }), 403, 'invalid_api_token')) fail('state.expired');
  },
  async network(s, fail) {
    const st = await s.state('network_not_authorized');
    const r = await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) });
    if (!is(r, 403, 'unauthorized_network_for_api_token') || isIP(String(detailOf(r)?.ip_address)) === 0) fail('state.network');
  },
  async capabilities(s, fail) {
    const st = await s.state('capabilities_token_invalid');
    if (!is(await s.call({ bearer: st.bearer, headers: st.headers, body: idBody(st.api_token.id) }), 403, 'invalid_capabilities_token')) fail('state.capabilities');
  },
  async scope(s, fail) {
    const st = await s.state('scope_not_granted');
    const r = await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) });
    if (!is(r, 403, 'scope_not_granted') || !detailOf(r)?.scopes?.includes?.('api_tokens')) fail('state.scope');
  },
  async permission(s, fail) {
    const st = await s.state('permission_denied');
    if (!is(await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) }), 403, 'permission_denied')) fail('state.permission');
  },
  async validation(s, fail) {
    const st = await s.state('validation_fails');
    const r = await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) });
    const errors = detailOf(r)?.errors;
    if (!is(r, 422, 'validation_error') || !Array.isArray(errors) || errors.length === 0 || errors.some((e) => typeof e !== 'string')) fail('state.validation');
  },
  async rateLimit(s, fail) {
    const st = await s.state('rate_limit_reached');
    const r = await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) });
    if (!is(r, 429, 'rate_limit_reached') || detailOf(r)?.total_permitted !== st.total_permitted) fail('state.rate-limit');
  },
  async unavailable(s, fail) {
    const st = await s.state('service_unavailable');
    if (!is(await s.call({ bearer: st.bearer, body: idBody(st.api_token.id) }), 503, 'service_unavailable')) fail('state.unavailable');
  },
  async notFound(s, fail) {
    const st = await s.state('token_can_regenerate');
    if (!is(await s.call({ bearer: st.bearer, body: idBody('apitok_probe_unknown') }), 404, 'api_token_not_found')) fail('notfound');
  },
  async badInput(s, fail) {
    const st = await s.state('token_can_regenerate');
    const cases: [string, unknown][] = [
      ['bad.empty-object', {}],
      ['bad.empty-token', { api_token: {} }],
      ['bad.string-token', { api_token: 'x' }],
      ['bad.numeric-id', { api_token: { id: 5 } }],
      ['bad.not-json', 'definitely not json'],
      ['bad.no-body', undefined],
    ];
    for (const [name, body] of cases) {
      const r = await s.call({ bearer: st.bearer, body });
      const errors = detailOf(r)?.errors;
      if (!is(r, 422, 'validation_error') || !Array.isArray(errors) || errors.length === 0) fail(name);
    }
  },
};

export const STATEFUL_BEHAVIOURS = [
  'regen.200', 'regen.id', 'regen.fields-unchanged', 'regen.no-extra-fields', 'regen.secret-new', 'regen.old-secret-rejected',
  'regen.new-secret-authenticates', 'regen.second-differs', 'regen.history-earlier-refused', 'regen.strong-secrets', 'regen.new-secret-durable',
  'regen.race-one-valid', 'state.expired', 'state.network', 'state.capabilities', 'state.scope',
  'state.permission', 'state.validation', 'state.rate-limit', 'state.unavailable', 'notfound', 'bad.empty-object', 'bad.empty-token',
  'bad.string-token', 'bad.numeric-id', 'bad.not-json', 'bad.no-body',
];
const PROBE_BEHAVIOURS: Record<string, string[]> = {
  regeneration: STATEFUL_BEHAVIOURS.filter((b) => b.startsWith('regen.')),
  history: ['regen.history-earlier-refused', 'regen.strong-secrets'],
  durable: ['regen.new-secret-durable'],
  race: ['regen.race-one-valid'],
  expired: ['state.expired'], network: ['state.network'], capabilities: ['state.capabilities'], scope: ['state.scope'],
  permission: ['state.permission'], validation: ['state.validation'], rateLimit: ['state.rate-limit'], unavailable: ['state.unavailable'],
  notFound: ['notfound'], badInput: STATEFUL_BEHAVIOURS.filter((b) => b.startsWith('bad.')),
};

export interface Survey {
  broken: string[];
  notArranged: string[];
}

export async function survey(faults: FaultName[]): Promise<Survey> {
  const mock = createMock({ faults, onInternalError: () => {} });
  const addr = await mock.listen(0);
  const s = new Surveyor(mock, addr);
  const broken = new Set<string>();
  const notArranged = new Set<string>();
  try {
    for (const [name, probe] of Object.entries(PROBES)) {
      try {
        await probe(s, (b) => broken.add(b));
      } catch (e) {
        if (!(e instanceof NotArranged)) throw e;
        for (const b of PROBE_BEHAVIOURS[name] ?? []) notArranged.add(b);
      }
    }
    if (s.stateFailures > 0) broken.add('states.arrangeable');
    // Cross-cutting, over every operation exchange.
    const secrets = mock.issuedSecrets();
    for (const x of s.exchanges) {
      if (!x.contentType.startsWith('application/json')) broken.add('all.json-content-type');
      if (x.status >= 500 && x.status !== 503) broken.add('all.no-5xx'); // 503 is documented
      if (!isUtf8(x.bytes) || /charset=(?!utf-8)/i.test(x.contentType)) broken.add('all.utf8');
      const encoded = (v: string) => [v, encodeURIComponent(v), Buffer.from(v).toString('base64')];
      if (secrets.some((secret) => x.headerValues.some((h) => encoded(secret).some((e) => h.includes(e))))) broken.add('all.no-secret-in-headers');
      if (x.status >= 400) {
        const j = x.json;
        const flat =
          j !== null && typeof j === 'object' && typeof j.code === 'string' && typeof j.description === 'string' &&
          j.detail !== null && typeof j.detail === 'object' && !Array.isArray(j.detail) && x.schemaHeader === null;
        if (!flat) broken.add('all.flat-error-shape');
        if (secrets.some((secret) => x.text.includes(secret))) broken.add('all.no-secret-leak');
      }
    }
  } finally {
    await mock.close();
  }
  return { broken: [...broken].sort(), notArranged: [...notArranged].sort() };
}
