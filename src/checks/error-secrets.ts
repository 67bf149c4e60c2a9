/** No credential the suite holds may come back in an error body, escaped or not. */
import { error, type Finding } from '../model/finding.ts';
import type { Exchange } from '../engine/exchange.ts';
import type { CheckContext } from './expectation.ts';

export function checkNoSecretInError(x: Exchange, ctx: CheckContext): Finding[] {
  const r = x.response!;
  if (r.status < 400) return [];
  // The raw text and the parsed strings: a secret echoed with JSON escapes
  // (\/ for /, \u0041 for A) only shows in the latter.
  const found = [...new Set([...ctx.secrets.findIn(r.text), ...ctx.secrets.findIn(stringsOf(r.json).join('\n'))])];
  if (found.length === 0) return [];
  return [
    error('no_secret_in_error', `the error body contains ${found.length === 1 ? 'a secret' : `${found.length} secrets`} the suite holds (masked here); error bodies must never echo credentials`, {
      expected: 'no credential in the error body',
      actual: 'a credential the suite holds',
      instancePath: pathOfSecret(r.json, found),
      exchange: x.label,
    }),
  ];
}

/** Every string (keys included) of a parsed JSON value. */
function stringsOf(value: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value !== null && typeof value === 'object' && depth < 32) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsOf(v, out, depth + 1);
    }
  }
  return out;
}

/** JSON pointer of the first string that contains one of the secrets, if the body is JSON. */
function pathOfSecret(value: unknown, secrets: string[], at = ''): string | undefined {
  if (typeof value === 'string') return secrets.some((s) => value.includes(s)) ? at || '/' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = pathOfSecret(v, secrets, `${at}/${k}`);
    if (found) return found;
  }
  return undefined;
}
