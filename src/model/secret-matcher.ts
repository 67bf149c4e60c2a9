/**
 * Finds known secrets in text, in the forms a secret takes when something
 * writes it: as is, JSON-escaped, URL-encoded, base64 and base64url at any
 * byte alignment. Pure (no I/O): the post-run leak scan (src/leak/scan.ts)
 * and the response-header check (src/checks/header-secrets.ts) share it.
 * Nothing it returns carries a secret: a secret is described by its source,
 * length and a short hash.
 */
import { createHash } from 'node:crypto';
import { secretForms, type Encoding } from './secret-forms.ts';

export interface KnownSecret {
  value: string;
  /** Where the secret comes from, in words ("issued by the mock", "KATAPULT_API_TOKEN from .env"). */
  source: string;
}

export type { Encoding } from './secret-forms.ts';

/** Secrets shorter than this are not searched for: they would match ordinary text. */
export const MIN_SCANNED_SECRET_LENGTH = 8;
const KEY_LENGTH = 8;

export const fingerprint = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 8);

/** How a secret is named in messages: source, length and a short hash, never the value. */
export function describeSecret(secret: KnownSecret): string {
  return `a secret (${secret.source}, ${secret.value.length} characters, sha256 ${fingerprint(secret.value)})`;
}

interface Needle {
  /** latin1 view of the bytes to find. */
  text: string;
  secret: number;
  encoding: Encoding;
}

/**
 * Finds known secrets in text. Built once per set of secrets; `find` is linear
 * in the text (a hash lookup per position), whatever the number of secrets.
 */
export class SecretMatcher {
  readonly secrets: KnownSecret[];
  readonly tooShort: number;
  private readonly byKey = new Map<string, Needle[]>();
  private readonly firstPairs = new Set<number>();
  readonly needleCount: number;

  constructor(secrets: Iterable<KnownSecret>) {
    const seen = new Map<string, KnownSecret>();
    let tooShort = 0;
    for (const s of secrets) {
      if (typeof s.value !== 'string') continue;
      if (s.value.length < MIN_SCANNED_SECRET_LENGTH) {
        if (s.value.length > 0) tooShort++;
        continue;
      }
      if (!seen.has(s.value)) seen.set(s.value, s);
    }
    this.secrets = [...seen.values()];
    this.tooShort = tooShort;
    let count = 0;
    const add = (text: string, secret: number, encoding: Encoding) => {
      const key = text.slice(0, KEY_LENGTH);
      const list = this.byKey.get(key) ?? [];
      if (list.some((n) => n.text === text)) return;
      list.push({ text, secret, encoding });
      this.byKey.set(key, list);
      this.firstPairs.add((text.charCodeAt(0) << 8) | text.charCodeAt(1));
      count++;
    };
    this.secrets.forEach((s, i) => {
      for (const f of secretForms(s.value)) add(f.text, i, f.encoding);
    });
    this.needleCount = count;
  }

  get size(): number {
    return this.secrets.length;
  }

  describe(index: number): string {
    return describeSecret(this.secrets[index]);
  }

  /** Every occurrence: offset in the latin1 text, length, which secret, which encoding. */
  find(text: string): { offset: number; length: number; secret: number; encoding: Encoding }[] {
    const out: { offset: number; length: number; secret: number; encoding: Encoding }[] = [];
    if (this.byKey.size === 0) return out;
    const end = text.length - KEY_LENGTH;
    for (let i = 0; i <= end; i++) {
      if (!this.firstPairs.has((text.charCodeAt(i) << 8) | text.charCodeAt(i + 1))) continue;
      const list = this.byKey.get(text.substr(i, KEY_LENGTH));
      if (list === undefined) continue;
      for (const n of list) if (text.startsWith(n.text, i)) out.push({ offset: i, length: n.text.length, secret: n.secret, encoding: n.encoding });
    }
    return out;
  }

  /** The text with every occurrence (any encoding) replaced by `mask`; and what was found. */
  mask(text: string, mask: string): { text: string; found: { secret: number; encoding: Encoding }[] } {
    const latin1 = Buffer.from(text, 'utf8').toString('latin1');
    const hits = this.find(latin1);
    if (hits.length === 0) return { text, found: [] };
    hits.sort((a, b) => a.offset - b.offset || b.length - a.length);
    let out = '';
    let at = 0;
    for (const h of hits) {
      if (h.offset < at) continue;
      out += latin1.slice(at, h.offset) + mask;
      at = h.offset + h.length;
    }
    out += latin1.slice(at);
    return { text: Buffer.from(out, 'latin1').toString('utf8'), found: hits.map((h) => ({ secret: h.secret, encoding: h.encoding })) };
  }
}
