/**
 * The mock's in-memory token store: tokens by id and by secret (Map lookups
 * only on the hot path), secret rotation, and the record of every secret the
 * mock has handed out (for leak scans).
 */
import { randomBytes } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { FaultFlags } from './faults.ts';

/** The scope the operation requires, in its plain and its OAuth2 form. */
export const API_TOKENS_SCOPES: readonly string[] = ['api_tokens', 'api.katapult.io/core/v1/api_tokens'];

/** An APIToken as documented, without its secret. */
export interface ApiTokenView {
  id: string;
  name: string;
  organization_id: string;
  authorized_ip_addresses: string[];
  expires_at: number | null;
  rate_limit: number;
  scopes: string[];
}

/** Mock-only switches a provider state puts on a token. */
export interface TokenFlags {
  /** Authenticating with it answers 429. */
  rateLimited?: boolean;
  /** Authenticating with it answers 503. */
  unavailable?: boolean;
  /** Regenerating its secret fails validation (422). */
  failValidation?: boolean;
}

export interface TokenSpec {
  name: string;
  organization_id: string;
  authorized_ip_addresses?: string[];
  expires_at?: number | null;
  rate_limit?: number;
  scopes?: string[];
  flags?: TokenFlags;
}

// ------------------------------------------------------------------ randomness

const POOL_BYTES = 8192;
let pool: Buffer | null = null;
let poolOffset = POOL_BYTES;

/** Cryptographically random bytes, drawn from a pooled randomBytes buffer (one syscall per 8 KiB). */
function randomChunk(size: number): Buffer {
  if (pool === null || poolOffset + size > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES); // a fresh buffer: earlier subarrays stay untouched
    poolOffset = 0;
  }
  const chunk = pool.subarray(poolOffset, poolOffset + size);
  poolOffset += size;
  return chunk;
}

/** A new secret: 32 random bytes, base64url (43 URL-safe characters). */
export function generateSecret(): string {
  return randomChunk(32).toString('base64url');
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Katapult-like id (`apitok_…`, `org_…`): prefix + 16 random alphanumerics. */
export function generateId(prefix: string): string {
  const bytes = randomChunk(16);
  let id = prefix;
  for (let i = 0; i < bytes.length; i++) id += ALPHABET[bytes[i]! % ALPHABET.length];
  return id;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

// ------------------------------------------------------------------ networks

/** `::ffff:127.0.0.1` -> `127.0.0.1`; undefined -> ''. */
export function normaliseIp(address: string | undefined): string {
  if (address === undefined) return '';
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  return address;
}

/** A BlockList of the admitted networks (entries are IPs or CIDRs); null when the list is empty (all admitted). */
export function buildAllowList(entries: readonly string[]): BlockList | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    if (family === null) continue; // not an address: admits nothing
    if (slash === -1) {
      list.addAddress(address, family);
    } else {
      const prefix = Number(entry.slice(slash + 1));
      const max = family === 'ipv4' ? 32 : 128;
      if (Number.isInteger(prefix) && prefix >= 0 && prefix <= max) list.addSubnet(address, prefix, family);
    }
  }
  return list;
}

/** Whether `ip` (already normalised) is admitted by `allow` (null = everything admitted). */
export function admits(allow: BlockList | null, ip: string): boolean {
  if (allow === null) return true;
  if (isIPv4(ip)) return allow.check(ip, 'ipv4');
  if (isIPv6(ip)) return allow.check(ip, 'ipv6');
  return false;
}

// ------------------------------------------------------------------ tokens

export class Token implements ApiTokenView {
  id: string;
  name: string;
  organization_id: string;
  authorized_ip_addresses: string[];
  expires_at: number | null;
  rate_limit: number;
  scopes: string[];
  secret: string;
  readonly flags: Readonly<TokenFlags>;
  /** Unix seconds; only shown under the `undocumented-field` fault. */
  readonly createdAt: number;
  /** Precomputed for the hot path. */
  readonly allow: BlockList | null;
  readonly managesTokens: boolean;
  /** Secrets that still authenticate after rotation (fault `old-secret-still-valid`). */
  retiredSecrets: string[] | null = null;
  /** First rotated secret (fault `repeat-secret`). */
  firstRotatedSecret: string | null = null;
  /** Every secret the token had before its current one, oldest first (fault `older-secret-revived`). */
  formerSecrets: string[] | null = null;
  /** Secrets answered by a regeneration, and those of them that authenticated once (fault `new-secret-works-once`). */
  rotatedSecrets: Set<string> | null = null;
  spentSecrets: Set<string> | null = null;
  /** Regenerations of this token in flight, and whether two overlapped (fault `race-both-valid`). */
  rotationsInFlight = 0;
  raced = false;
  /** Cached `{"api_token":{...,"secret":` of the 200 answer; reset when a field changes. */
  successPrefix: string | null = null;

  constructor(id: string, secret: string, spec: TokenSpec) {
    this.id = id;
    this.name = spec.name;
    this.organization_id = spec.organization_id;
    this.authorized_ip_addresses = [...(spec.authorized_ip_addresses ?? [])];
    this.expires_at = spec.expires_at ?? null;
    this.rate_limit = spec.rate_limit ?? 600;
    this.scopes = [...(spec.scopes ?? ['api_tokens'])];
    this.secret = secret;
    this.flags = Object.freeze({ ...spec.flags });
    this.createdAt = nowSeconds();
    this.allow = buildAllowList(this.authorized_ip_addresses);
    this.managesTokens = this.scopes.some((s) => API_TOKENS_SCOPES.includes(s));
  }

  /** The documented fields, without the secret (fresh arrays: callers may keep it). */
  view(): ApiTokenView {
    return {
      id: this.id,
      name: this.name,
      organization_id: this.organization_id,
      authorized_ip_addresses: [...this.authorized_ip_addresses],
      expires_at: this.expires_at,
      rate_limit: this.rate_limit,
      scopes: [...this.scopes],
    };
  }

  isExpired(now: number = Date.now() / 1000): boolean {
    return this.expires_at !== null && this.expires_at <= now;
  }
}

/** How many issued secrets are remembered for leak scans (oldest forgotten first; a benchmark may issue millions). */
export const ISSUED_SECRETS_LIMIT = 100_000;

export class TokenStore {
  private readonly byId = new Map<string, Token>();
  private readonly bySecret = new Map<string, Token>();
  private readonly issued = new Set<string>();

  constructor(private readonly faults: Readonly<FaultFlags>) {}

  get size(): number {
    return this.byId.size;
  }

  getById(id: string): Token | undefined {
    return this.byId.get(id);
  }

  /** The token a bearer secret authenticates as (no expiry / network judgement here). */
  getBySecret(secret: string): Token | undefined {
    return this.bySecret.get(secret);
  }

  /** Tokens of one organization, oldest first (the live personality's list operation). */
  *inOrganization(organizationId: string): IterableIterator<Token> {
    for (const token of this.byId.values()) if (token.organization_id === organizationId) yield token;
  }

  issuedSecrets(): string[] {
    return [...this.issued];
  }

  create(spec: TokenSpec): Token {
    let id = generateId('apitok_');
    while (this.byId.has(id)) id = generateId('apitok_');
    const token = new Token(id, this.freshSecret(true), spec);
    this.byId.set(id, token);
    this.bySecret.set(token.secret, token);
    return token;
  }

  delete(token: Token): void {
    if (this.byId.get(token.id) === token) this.byId.delete(token.id);
    if (this.bySecret.get(token.secret) === token) this.bySecret.delete(token.secret);
    if (token.retiredSecrets !== null) {
      for (const s of token.retiredSecrets) if (this.bySecret.get(s) === token) this.bySecret.delete(s);
    }
  }

  /**
   * Fault `new-secret-works-once`: whether this authentication with a secret
   * answered by a regeneration is refused because it already authenticated once.
   */
  spendOnce(token: Token, secret: string): boolean {
    if (!this.faults.newSecretWorksOnce || token.rotatedSecrets === null || !token.rotatedSecrets.has(secret)) return false;
    const spent = (token.spentSecrets ??= new Set());
    if (spent.has(secret)) return true;
    spent.add(secret);
    return false;
  }

  /**
   * Rotates the token's secret and returns the secret to answer with.
   * Documented: a new random secret, the old one stops authenticating at once.
   * `keepOld` (fault `race-both-valid`): the current secret stays valid too.
   */
  rotate(token: Token, keepOld = false): string {
    const f = this.faults;
    if (f.secretNotRenewed) return token.secret;
    let next: string;
    if (f.repeatSecret && token.firstRotatedSecret !== null) {
      next = token.firstRotatedSecret;
    } else {
      next = this.freshSecret(true);
      if (f.repeatSecret) token.firstRotatedSecret = next;
    }
    const old = token.secret;
    if ((f.oldSecretStillValid || keepOld) && old !== next) (token.retiredSecrets ??= []).push(old);
    else this.bySecret.delete(old);
    if (f.olderSecretRevived) {
      // Three secret slots reused in turn: from the third regeneration on, the
      // secret of three regenerations back authenticates again.
      const former = (token.formerSecrets ??= []);
      former.push(old);
      const revived = former.length >= 3 ? former[former.length - 3]! : undefined;
      if (revived !== undefined && revived !== next && this.bySecret.get(revived) === undefined) {
        this.bySecret.set(revived, token);
        (token.retiredSecrets ??= []).push(revived);
      }
    }
    if (f.newSecretWorksOnce) (token.rotatedSecrets ??= new Set()).add(next);
    if (f.newSecretNotStored) {
      // The answered secret is never stored; the token gets one nobody knows.
      const hidden = this.freshSecret(false);
      token.secret = hidden;
      this.bySecret.set(hidden, token);
      return next;
    }
    token.secret = next;
    this.bySecret.set(next, token);
    return next;
  }

  /** Fault `weak-secrets`: the count behind the short sequential secrets. */
  private weakCounter = 0;

  private freshSecret(handedOut: boolean): string {
    const next = (): string => (this.faults.weakSecrets ? `sk_${String(++this.weakCounter).padStart(10, '0')}` : generateSecret());
    let secret = next();
    while (this.bySecret.has(secret)) secret = next();
    if (handedOut) {
      this.issued.add(secret);
      if (this.issued.size > ISSUED_SECRETS_LIMIT) {
        const oldest = this.issued.values().next().value;
        if (oldest !== undefined) this.issued.delete(oldest);
      }
    }
    return secret;
  }
}
