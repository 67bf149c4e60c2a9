/**
 * Masking at capture time. Every secret the suite learns (state bearers and
 * secrets, secrets returned by regeneration, configured tokens) is registered
 * here the moment it is learnt, and everything that leaves a scenario
 * (findings, exchanges, messages) passes through `redact` before it is stored.
 */
export const MASK = '[REDACTED]';

const CREDENTIAL_KEYS = new Set(['authorization', 'secret', 'bearer', 'x-capabilities-token']);

/** A shell-variable placeholder of a reproduction ($BEARER, $NEW_SECRET_2): upper case only. */
const PLACEHOLDER = /^"?\$[A-Z][A-Z0-9_]*"?$/;

const CREDENTIAL_JSON_FIELD = /("(?:secret|bearer|authorization)"\s*:\s*")(?:[^"\\]|\\.)+"/gi;

/** The password of a URL's user information: http://user:PASSWORD@host/. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/gi;

/** Masks the password in any URL of the text (used also where no registry exists yet, as in configuration errors). */
export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, (_m, prefix: string) => `${prefix}${MASK}@`);
}

/** Credentials shorter than this are not searched for: they would mask ordinary words. */
const MIN_SECRET_LENGTH = 4;
/**
 * Values that are only masked (not credentials the contract names) must be
 * longer: a state header value like "invalid" is not worth masking everywhere.
 */
const MIN_MASK_ONLY_LENGTH = 8;
/** A credential shorter than this is not judged in error bodies: it would match ordinary text. */
const MIN_JUDGED_LENGTH = 8;

/**
 * - `credential`: a secret the contract names (state bearers and secrets,
 *   secrets returned by regeneration, configured tokens): masked, and an error
 *   body that contains it fails the scenario.
 * - `mask-only`: anything else that may be sensitive (state header values,
 *   Authorization values the suite made up, credential-like fields of other
 *   answers): masked, never judged.
 */
export type SecretKind = 'credential' | 'mask-only';

export class SecretRegistry {
  private readonly secrets = new Set<string>();
  private readonly credentials = new Set<string>();
  private pattern: RegExp | null = null;
  /** Called once for every newly held secret (the leak scan copies them to its run file). */
  onAdd?: (secret: string) => void;

  add(secret: unknown, kind: SecretKind = 'credential'): void {
    if (typeof secret !== 'string') return;
    if (secret.length < (kind === 'credential' ? MIN_SECRET_LENGTH : MIN_MASK_ONLY_LENGTH)) return;
    if (kind === 'credential') this.credentials.add(secret);
    if (this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.pattern = null;
    this.onAdd?.(secret);
  }

  has(secret: string): boolean {
    return this.secrets.has(secret);
  }

  /** The secrets held, longest first (so a secret containing another is masked whole). */
  all(): string[] {
    return [...this.secrets].sort((a, b) => b.length - a.length);
  }

  /** The held credentials long enough to judge (the header check searches them in every encoding). */
  judgedCredentials(): string[] {
    return [...this.credentials].filter((s) => s.length >= MIN_JUDGED_LENGTH);
  }

  /** Which held credentials (long enough to judge) occur in the text. */
  findIn(text: string): string[] {
    return [...this.credentials].filter((s) => s.length >= MIN_JUDGED_LENGTH && text.includes(s)).sort((a, b) => b.length - a.length);
  }

  redactText(text: string): string {
    // A reproduction's named placeholder ("Bearer $BEARER") is no credential and stays readable.
    let out = maskUrlPasswords(text).replace(/\b(Bearer|Basic)(\s+)([^\s"',;]+)/gi, (m, scheme: string, _space: string, value: string) => (PLACEHOLDER.test(value) ? m : `${scheme} ${MASK}`));
    // Credential fields inside JSON text (a response body kept as text), even
    // when the value was never registered.
    out = out.replace(CREDENTIAL_JSON_FIELD, (_m, prefix: string) => `${prefix}${MASK}"`);
    if (this.secrets.size === 0) return out;
    if (!this.pattern) {
      const escaped = this.all().map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.pattern = new RegExp(escaped.join('|'), 'g');
    }
    out = out.replace(this.pattern, MASK);
    return out;
  }

  /** Deep copy with every string redacted and every Authorization header masked. */
  redact<T>(value: T): T {
    return this.redactValue(value, undefined) as T;
  }

  private redactValue(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') {
      // Credential-carrying fields are masked by name as well, even before the
      // secret itself is known to the registry.
      if (key !== undefined && CREDENTIAL_KEYS.has(key.toLowerCase()) && value !== '') return MASK;
      return this.redactText(value);
    }
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v, undefined));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v, k);
      return out;
    }
    return value;
  }
}
