/**
 * JSON exchanged between systems must be UTF-8 (RFC 8259 §8.1). Part of the
 * content-type check: a declared charset other than UTF-8, or bytes that are
 * not valid UTF-8, fail it, naming the charset or the first invalid byte.
 */
import { isUtf8 } from 'node:buffer';
import { error, type Finding } from '../model/finding.ts';

/** The `charset` parameter of a Content-Type, lower-cased and unquoted; undefined when there is none. */
export function declaredCharset(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  for (const param of contentType.split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    return param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

/** `utf8` is not the registered name, but every JSON library reads it as UTF-8: not worth a red build. */
const UTF8_NAMES = new Set(['utf-8', 'utf8']);

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629); undefined when all are. */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number | undefined {
  if (isUtf8(bytes)) return undefined;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    // The second byte's range rules out overlong forms, surrogates and code points above U+10FFFF.
    min = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    if (b === 0xed) max = 0x9f;
    if (b === 0xf4) max = 0x8f;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      const lo = k === 1 ? min : 0x80;
      const hi = k === 1 ? max : 0xbf;
      if (c === undefined || c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return undefined;
}

/** What the check needs of a response: its Content-Type and the raw body bytes. */
export interface Utf8Source {
  label: string;
  response?: { headers: Record<string, string>; bytes?: Uint8Array };
}

export function checkUtf8(x: Utf8Source): Finding[] {
  const r = x.response;
  if (!r) return [];
  const out: Finding[] = [];
  const charset = declaredCharset(r.headers['content-type']);
  if (charset !== undefined && !UTF8_NAMES.has(charset)) {
    out.push(
      error('content_type', `the Content-Type declares charset "${charset}"; JSON exchanged between systems must be UTF-8 (RFC 8259 §8.1)`, {
        expected: 'charset utf-8 (or no charset)',
        actual: charset,
        exchange: x.label,
      }),
    );
  }
  if (r.bytes !== undefined) {
    const at = firstInvalidUtf8Offset(r.bytes);
    if (at !== undefined) {
      const byte = `0x${r.bytes[at]!.toString(16).toUpperCase().padStart(2, '0')}`;
      out.push(
        error('content_type', `the body is not valid UTF-8: the first invalid byte is at offset ${at} (${byte}); JSON exchanged between systems must be UTF-8 (RFC 8259 §8.1)`, {
          expected: 'a body of valid UTF-8',
          actual: `invalid UTF-8 at byte offset ${at} (${byte})`,
          exchange: x.label,
        }),
      );
    }
  }
  return out;
}
