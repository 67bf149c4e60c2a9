/**
 * No held credential may travel in any response header, in any status: a
 * header is logged by proxies, CDNs and client libraries that never log
 * bodies. Headers are searched as is, URL-encoded and base64 (the forms a
 * server writes a token in: `WWW-Authenticate`, debug headers, cookies), with
 * the same matcher as the post-run leak scan. Findings name the header, never
 * its value.
 */
import { error, type Finding } from '../model/finding.ts';
import { SecretMatcher, type Encoding } from '../model/secret-matcher.ts';

/** What the check needs of a response: every header as received. */
export interface HeaderSource {
  label: string;
  response?: { headers: Record<string, string>; allHeaders?: readonly (readonly [string, string])[] };
}

/**
 * Every header of the response that carries one of `credentials`, with the
 * encodings found. Header values are byte strings (latin1), which is what the
 * matcher searches.
 */
export function headersCarryingSecrets(headers: readonly (readonly [string, string])[], credentials: readonly string[]): { name: string; encodings: Encoding[] }[] {
  if (credentials.length === 0 || headers.length === 0) return [];
  const matcher = new SecretMatcher(credentials.map((value) => ({ value, source: 'held by the suite' })));
  const byName = new Map<string, Set<Encoding>>();
  for (const [name, value] of headers) {
    for (const hit of matcher.find(value)) {
      const key = name.toLowerCase();
      if (!byName.has(key)) byName.set(key, new Set());
      byName.get(key)!.add(hit.encoding);
    }
  }
  return [...byName].map(([name, encodings]) => ({ name, encodings: [...encodings] }));
}

export function checkNoSecretInHeaders(x: HeaderSource, credentials: readonly string[]): Finding[] {
  const r = x.response;
  if (!r) return [];
  const headers = r.allHeaders ?? Object.entries(r.headers);
  return headersCarryingSecrets(headers, credentials).map(({ name, encodings }) =>
    error('no_secret_in_headers', `the response header ${name} carries a secret the suite holds (${encodings.join(', ')}; the value is not shown); no response header may carry a credential`, {
      expected: 'no credential in any response header',
      actual: `a credential in the header ${name} (${encodings.join(', ')})`,
      exchange: x.label,
    }),
  );
}
