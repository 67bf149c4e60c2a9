/**
 * The independent vendor mock's data: its tokens (by id and by secret), the
 * capabilities tokens it accepts, and what each provider-state instance
 * created, for that instance's teardown. Part of ../independent-vendor-mock.ts.
 */
import { randomBytes } from 'node:crypto';

export const BASE_PATH = '/api/core/v1';
export const OPERATION = `${BASE_PATH}/api_tokens/api_token/regenerate_secret`;
export const STATE_PATH = '/pact/provider-states';
export const CAPABILITIES_HEADER = 'X-Katapult-Capabilities';
export const REQUIRED_SCOPE = 'api_tokens';
export const OAUTH_SCOPE = `api.katapult.io/core/v1/${REQUIRED_SCOPE}`;

export interface Token {
  id: string;
  name: string;
  organization_id: string | null;
  authorized_ip_addresses: string[];
  expires_at: number | null;
  rate_limit: number;
  scopes: string[];
  created_at: number;
  last_used_at: number | null;
  /** Every secret that authenticates as this token (normally exactly one). */
  secrets: string[];
  /** The organisation that may manage tokens with this token (its own org, or a private one when organization_id is null). */
  managesOrg: string;
  failsValidation: boolean;
  unavailable: boolean;
  window: { start: number; count: number };
}

export const now = () => Math.floor(Date.now() / 1000);
export const newSecret = () => randomBytes(20).toString('hex');

export type Store = ReturnType<typeof createStore>;

export function createStore() {
  const tokens = new Map<string, Token>();
  const bySecret = new Map<string, Token>();
  const validCapabilities = new Set<string>();
  /** What each state instance created, for its teardown. */
  const created = new Map<string, { tokenIds: string[]; capabilities: string[] }>();
  let nextId = 4000 + Math.floor(Math.random() * 1000);
  const newId = () => String(nextId++);

  function record(instance: string) {
    let r = created.get(instance);
    if (!r) created.set(instance, (r = { tokenIds: [], capabilities: [] }));
    return r;
  }

  function addToken(instance: string, t: Partial<Token> & { name: string; managesOrg: string }): Token {
    const secret = newSecret();
    const token: Token = {
      id: newId(),
      organization_id: null,
      authorized_ip_addresses: ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'],
      expires_at: null,
      rate_limit: 600,
      scopes: [REQUIRED_SCOPE, 'servers'],
      created_at: now() - 3600,
      last_used_at: null,
      secrets: [secret],
      failsValidation: false,
      unavailable: false,
      window: { start: Date.now(), count: 0 },
      ...t,
    };
    tokens.set(token.id, token);
    bySecret.set(secret, token);
    record(instance).tokenIds.push(token.id);
    return token;
  }

  function removeToken(id: string) {
    const t = tokens.get(id);
    if (!t) return;
    for (const s of t.secrets) bySecret.delete(s);
    tokens.delete(id);
  }

  /** Undoes what the instance's setup created. */
  function teardown(instance: string) {
    const r = created.get(instance);
    created.delete(instance);
    for (const id of r?.tokenIds ?? []) removeToken(id);
    for (const c of r?.capabilities ?? []) validCapabilities.delete(c);
  }

  return { tokens, bySecret, validCapabilities, record, addToken, teardown };
}

/** The token as the API shows it: never its secret(s) or the mock's own flags. */
export function publicToken(t: Token) {
  return {
    id: t.id,
    name: t.name,
    organization_id: t.organization_id,
    authorized_ip_addresses: [...t.authorized_ip_addresses],
    expires_at: t.expires_at,
    rate_limit: t.rate_limit,
    scopes: [...t.scopes],
    created_at: t.created_at,
    last_used_at: t.last_used_at,
  };
}
