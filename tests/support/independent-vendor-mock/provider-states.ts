/**
 * The independent vendor mock's provider-state endpoint (POST
 * /pact/provider-states): each state's setup creates what it needs under the
 * instance's key and answers the contract's shape (bearer, api_token, headers
 * with a capabilities token); teardown removes what that setup created.
 * Part of ../independent-vendor-mock.ts.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send } from './http.ts';
import { CAPABILITIES_HEADER, now, publicToken, type Store, type Token } from './store.ts';

export async function providerState(store: Store, req: IncomingMessage, res: ServerResponse) {
  const { addToken, record, validCapabilities } = store;
  let msg: any;
  try {
    msg = JSON.parse(await readBody(req));
  } catch {
    return send(res, 400, { error: 'body must be JSON' });
  }
  const state = msg?.state;
  const instance = msg?.params?.instance;
  const action = msg?.action ?? 'setup';
  if (typeof state !== 'string' || typeof instance !== 'string') return send(res, 400, { error: 'state and params.instance are required' });
  const key = `${state}\u0000${instance}`;

  if (action === 'teardown') {
    store.teardown(key);
    return send(res, 200, {});
  }
  if (action !== 'setup') return send(res, 400, { error: `unknown action ${action}` });

  const org = `org-${instance}`;
  const own = (t: Token) => ({ ...publicToken(t) });
  const secretOf = (t: Token) => t.secrets[0];
  switch (state) {
    case 'token_can_regenerate': {
      const t = addToken(key, { name: `conformance ${instance}`, managesOrg: org });
      const cap = `kcap_${randomBytes(12).toString('hex')}`;
      validCapabilities.add(cap);
      record(key).capabilities.push(cap);
      return send(res, 200, { bearer: secretOf(t), secret: secretOf(t), api_token: own(t), headers: { [CAPABILITIES_HEADER]: cap } });
    }
    case 'token_expired': {
      const t = addToken(key, { name: 'expired', managesOrg: org, expires_at: now() - 86_400 });
      return send(res, 200, { bearer: secretOf(t), api_token: own(t) });
    }
    case 'network_not_authorized': {
      const t = addToken(key, { name: 'office only', managesOrg: org, authorized_ip_addresses: ['203.0.113.0/24', '2001:db8::/32'] });
      return send(res, 200, { bearer: secretOf(t), api_token: own(t) });
    }
    case 'capabilities_token_invalid': {
      const t = addToken(key, { name: 'with capabilities', managesOrg: org });
      return send(res, 200, { bearer: secretOf(t), api_token: own(t), headers: { [CAPABILITIES_HEADER]: `kcap_${randomBytes(12).toString('hex')}` } });
    }
    case 'scope_not_granted': {
      const t = addToken(key, { name: 'servers only', managesOrg: org, scopes: ['servers', 'dns_zones'] });
      return send(res, 200, { bearer: secretOf(t), api_token: own(t) });
    }
    case 'permission_denied': {
      const caller = addToken(key, { name: 'caller', managesOrg: org });
      const other = addToken(key, { name: 'someone else', managesOrg: `other-${instance}`, organization_id: String(9000 + Math.floor(Math.random() * 999)) });
      return send(res, 200, { bearer: secretOf(caller), api_token: own(other) });
    }
    case 'validation_fails': {
      const t = addToken(key, { name: 'x'.repeat(300), managesOrg: org, failsValidation: true });
      return send(res, 200, { bearer: secretOf(t), api_token: own(t) });
    }
    case 'rate_limit_reached': {
      const limit = 30 + Math.floor(Math.random() * 90);
      const t = addToken(key, { name: 'busy', managesOrg: org, rate_limit: limit });
      t.window = { start: Date.now(), count: limit };
      return send(res, 200, { bearer: secretOf(t), api_token: own(t), total_permitted: limit });
    }
    case 'service_unavailable': {
      const t = addToken(key, { name: 'in maintenance', managesOrg: org, unavailable: true });
      return send(res, 200, { bearer: secretOf(t), api_token: own(t) });
    }
    default:
      return send(res, 404, { error: `unknown state ${state}` });
  }
}
