/**
 * The forms a secret takes when something writes it: as is, JSON-escaped,
 * URL-encoded, base64 and base64url at each of the three byte alignments.
 * Each form is the latin1 view of its bytes, as the scanner reads files.
 * Shared by the matcher that knows the secrets and the one that knows only
 * their salted digests (a merge of shards).
 */

/** How a secret is written where it is found. */
export type Encoding = 'as is' | 'JSON-escaped' | 'URL-encoded' | 'base64' | 'base64url';

/** A base64 fragment shorter than this is not searched for (too likely by chance). */
const MIN_FRAGMENT_LENGTH = 12;

export interface SecretForm {
  /** latin1 view of the bytes to find. */
  text: string;
  encoding: Encoding;
}

/** The base64 text that encodes `bytes` wherever they sit, for each of the three byte alignments. */
function base64Fragments(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Only the 4-character groups made entirely of the secret's bytes are stable.
    const first = Math.ceil(shift / 3);
    const last = Math.floor((shift + bytes.length) / 3);
    const fragment = encoded.slice(first * 4, last * 4);
    if (fragment.length >= MIN_FRAGMENT_LENGTH) out.push(fragment);
  }
  return out;
}

export function secretForms(value: string): SecretForm[] {
  const out: SecretForm[] = [];
  const add = (text: string, encoding: Encoding) => {
    if (!out.some((f) => f.text === text)) out.push({ text, encoding });
  };
  const latin1 = (str: string) => Buffer.from(str, 'utf8').toString('latin1');
  const bytes = Buffer.from(value, 'utf8');
  add(bytes.toString('latin1'), 'as is');
  const json = JSON.stringify(value).slice(1, -1);
  if (json !== value) add(latin1(json), 'JSON-escaped');
  const url = encodeURIComponent(value);
  if (url !== value) add(url, 'URL-encoded');
  for (const f of base64Fragments(bytes)) {
    add(f, 'base64');
    const urlSafe = f.replace(/\+/g, '-').replace(/\//g, '_');
    if (urlSafe !== f) add(urlSafe, 'base64url');
  }
  return out;
}
