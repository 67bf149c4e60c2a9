/**
 * How guessable an issued secret looks, from the secret alone and from the
 * token's previous secret. An estimate, not a proof of randomness: it catches
 * short secrets, small alphabets, low variety, and secrets that continue the
 * previous one (a shared prefix, a counter). The figures go into the finding;
 * the secret never does.
 *
 * The rule (README, "What the 200 scenarios prove"):
 * - estimated entropy = characters not shared as a prefix with the previous
 *   secret × log2(size of the smallest usual alphabet the secret is written
 *   in: 10 digits, 16 hex, 36 one-case letters and digits, 62 letters and
 *   digits, 64 base64/base64url, 95 printable ASCII); weak below 128 bits;
 * - weak when shorter than 16 characters;
 * - weak when it has fewer distinct characters than min(8, half its alphabet);
 * - weak when it shares more than half of its characters as a prefix with the
 *   previous secret, or differs from it only by a number within ±1 000 000.
 */
import { error, warning, type Finding } from '../model/finding.ts';

export const MIN_ESTIMATED_BITS = 128;
export const MIN_SECRET_CHARACTERS = 16;
const MAX_COUNTER_STEP = 1_000_000n;

export type StrengthMode = 'warn' | 'fail';

const ALPHABETS: { name: string; size: number; pattern: RegExp }[] = [
  { name: 'decimal digits', size: 10, pattern: /^[0-9]+$/ },
  { name: 'hexadecimal digits', size: 16, pattern: /^(?:[0-9a-f]+|[0-9A-F]+)$/ },
  { name: 'one-case letters and digits', size: 36, pattern: /^(?:[0-9a-z]+|[0-9A-Z]+)$/ },
  { name: 'letters and digits', size: 62, pattern: /^[0-9A-Za-z]+$/ },
  { name: 'base64url', size: 64, pattern: /^[0-9A-Za-z_-]+$/ },
  { name: 'base64', size: 64, pattern: /^[0-9A-Za-z+/]+=*$/ },
  { name: 'printable ASCII', size: 95, pattern: /^[\x20-\x7e]+$/ },
];

export interface StrengthAssessment {
  characters: number;
  alphabet: { name: string; size: number };
  distinct: number;
  /** Characters shared as a prefix with the previous secret (0 without one). */
  sharedPrefix: number;
  estimatedBits: number;
  /** Set when the secret differs from the previous one only by a number: the step (b - a). */
  counterStep?: bigint;
  /** Each reason the secret looks weak, with its figures; empty when none. */
  problems: string[];
}

function alphabetOf(secret: string): { name: string; size: number } {
  const a = ALPHABETS.find((x) => x.pattern.test(secret));
  // Beyond printable ASCII: count what is there, at least the printable range.
  return a ? { name: a.name, size: a.size } : { name: 'characters beyond printable ASCII', size: Math.max(95, new Set(secret).size) };
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function commonSuffix(a: string, b: string, prefix: number): number {
  let i = 0;
  while (i < a.length - prefix && i < b.length - prefix && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return i;
}

/**
 * The step from `previous` to `secret` when they differ only by a number
 * (decimal, or hexadecimal in a hex secret): the differing middle, widened
 * over the digits around it, read as a number in both.
 */
function counterStep(previous: string, secret: string): bigint | undefined {
  if (previous === secret) return undefined;
  const p = commonPrefix(previous, secret);
  const s = commonSuffix(previous, secret, p);
  for (const [digits, radix] of [[/[0-9]/, 10], [/[0-9a-fA-F]/, 16]] as const) {
    let lo = p;
    let hi = s;
    while (lo > 0 && digits.test(secret[lo - 1]!)) lo--;
    while (hi > 0 && digits.test(secret[secret.length - hi]!)) hi--;
    const a = previous.slice(lo, previous.length - hi);
    const b = secret.slice(lo, secret.length - hi);
    const whole = new RegExp(`^${digits.source}+$`);
    if (!whole.test(a) || !whole.test(b) || a.length > 40 || b.length > 40) continue;
    const step = BigInt(`${radix === 16 ? '0x' : ''}${b}`) - BigInt(`${radix === 16 ? '0x' : ''}${a}`);
    if (step !== 0n && step <= MAX_COUNTER_STEP && step >= -MAX_COUNTER_STEP) return step;
  }
  return undefined;
}

export function assessSecret(secret: string, previous?: string): StrengthAssessment {
  const characters = [...secret].length;
  const alphabet = alphabetOf(secret);
  const distinct = new Set(secret).size;
  const sharedPrefix = previous === undefined ? 0 : commonPrefix(previous, secret);
  const estimatedBits = Math.floor((characters - sharedPrefix) * Math.log2(alphabet.size));
  const step = previous === undefined ? undefined : counterStep(previous, secret);
  const problems: string[] = [];
  if (characters < MIN_SECRET_CHARACTERS) problems.push(`${characters} characters, fewer than ${MIN_SECRET_CHARACTERS}`);
  if (estimatedBits < MIN_ESTIMATED_BITS) {
    problems.push(
      `an estimated ${estimatedBits} bits of entropy (${characters - sharedPrefix} character${characters - sharedPrefix === 1 ? '' : 's'} of ${alphabet.name}, ${alphabet.size} symbols${sharedPrefix ? `, after the ${sharedPrefix} shared with the previous secret` : ''}), fewer than ${MIN_ESTIMATED_BITS}`,
    );
  }
  const minDistinct = Math.min(8, Math.floor(alphabet.size / 2));
  if (distinct < minDistinct && characters >= minDistinct) problems.push(`only ${distinct} distinct characters, fewer than ${minDistinct}`);
  if (previous !== undefined && sharedPrefix * 2 > characters) problems.push(`its first ${sharedPrefix} of ${characters} characters are those of the previous secret`);
  if (step !== undefined) problems.push(`it differs from the previous secret only by a counter step of ${step > 0n ? '+' : ''}${step}`);
  return { characters, alphabet, distinct, sharedPrefix, estimatedBits, counterStep: step, problems };
}

/**
 * Judges each issued secret of a token's history against the one before it.
 * `history[0]` is the secret the token had before (judged only as the
 * previous of the next); every later entry is an issued secret.
 */
export function checkSecretStrength(history: readonly { label: string; secret: string | undefined }[], mode: StrengthMode): Finding[] {
  const out: Finding[] = [];
  for (let i = 1; i < history.length; i++) {
    const { label, secret } = history[i]!;
    if (typeof secret !== 'string' || secret === '') continue;
    const prev = history[i - 1]?.secret;
    const a = assessSecret(secret, typeof prev === 'string' && prev !== '' ? prev : undefined);
    if (a.problems.length === 0) continue;
    const make = mode === 'fail' ? error : warning;
    out.push(
      make('secret_strength', `the secret issued by "${label}" looks guessable: ${a.problems.join('; ')} (the value is not shown)${mode === 'warn' ? '; SECRET_STRENGTH=fail makes this a failure' : ''}`, {
        expected: `at least ${MIN_SECRET_CHARACTERS} characters and ${MIN_ESTIMATED_BITS} estimated bits, not continuing the previous secret`,
        actual: {
          characters: a.characters,
          alphabet: `${a.alphabet.name} (${a.alphabet.size})`,
          estimatedBits: a.estimatedBits,
          distinctCharacters: a.distinct,
          prefixSharedWithPrevious: a.sharedPrefix,
          ...(a.counterStep !== undefined ? { counterStep: Number(a.counterStep) } : {}),
        },
        instancePath: '/api_token/secret',
        exchange: label,
      }),
    );
  }
  return out;
}
