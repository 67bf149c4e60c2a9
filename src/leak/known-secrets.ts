/**
 * Where the leak scan learns the secrets of a run:
 *
 * - configured: KATAPULT_API_TOKEN (environment or .env) and every variable of
 *   the .env file whose name says it is a credential (…TOKEN…, …SECRET…,
 *   …PASSWORD…, …_KEY);
 * - the workers: every secret a worker's SecretRegistry holds (state bearers
 *   and secrets, secrets answered by the target, every Authorization value
 *   sent) is appended to a run-scoped file in the system's temporary
 *   directory (directory 0700, file 0600, deleted after the scan; never under
 *   reports/);
 * - the main process: sources registered in-process, such as the bundled
 *   mock's list of every secret it issued.
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { REPO_ROOT } from '../config/env.ts';
import type { SecretRegistry } from '../model/redact.ts';
import type { KnownSecret } from './scan.ts';

/** Set by the leak-scan reporter in the main process; inherited by the workers. */
export const SECRETS_FILE_ENV = 'CONFORMANCE_SECRETS_FILE';

/** Names of .env variables that hold credentials. */
export const CREDENTIAL_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|_KEY$|^KEY$|CREDENTIAL/i;

/** Creates the run's secrets file (mode 0600 in a fresh 0700 directory) and returns its path. */
export function createRunSecretsFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'conformance-secrets-'));
  const file = path.join(dir, 'secrets.jsonl');
  writeFileSync(file, '', { mode: 0o600 });
  return file;
}

/** Removes secrets files of runs that were killed before they could (older than a few hours). */
export function sweepStaleRunSecretsFiles(maxAgeMs = 6 * 3600_000): void {
  try {
    for (const name of readdirSync(tmpdir())) {
      if (!name.startsWith('conformance-secrets-')) continue;
      const dir = path.join(tmpdir(), name);
      if (Date.now() - statSync(dir).mtimeMs > maxAgeMs) rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // Best effort: a sweep must never stop a run.
  }
}

export function removeRunSecretsFile(file: string | undefined): void {
  if (!file) return;
  rmSync(path.dirname(file), { recursive: true, force: true });
}

export function appendRunSecret(file: string, value: string, source: string): void {
  appendFileSync(file, `${JSON.stringify({ value, source })}\n`, { mode: 0o600 });
}

/** Reads the run file from `fromByte` on; returns the secrets and the new end. */
export function readRunSecrets(file: string, fromByte = 0): { secrets: KnownSecret[]; end: number } {
  if (!existsSync(file)) return { secrets: [], end: fromByte };
  const buf = readFileSync(file);
  // Only whole lines: a worker may be half-way through an append.
  const last = buf.lastIndexOf(0x0a);
  if (last < fromByte) return { secrets: [], end: fromByte };
  const secrets: KnownSecret[] = [];
  for (const line of buf.toString('utf8', fromByte, last).split('\n')) {
    if (!line) continue;
    try {
      const { value, source } = JSON.parse(line) as KnownSecret;
      if (typeof value === 'string') secrets.push({ value, source: typeof source === 'string' ? source : 'seen by the suite' });
    } catch {
      // A torn line cannot be a whole secret; ignore it.
    }
  }
  return { secrets, end: last + 1 };
}

export function runSecretsFileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * In a worker: copy every secret the registry holds, and every one it learns
 * later, to the run's secrets file (when the leak scan is on).
 */
export function attachSecretSink(registry: SecretRegistry, env: NodeJS.ProcessEnv = process.env): void {
  const file = env[SECRETS_FILE_ENV];
  if (!file || !existsSync(file)) return;
  // Configured secrets (KATAPULT_API_TOKEN, .env credentials) are known to the
  // main process already: they are never copied to disk.
  const configured = new Set(configuredSecrets(env).map((s) => s.value));
  const write = (secret: string) => {
    if (configured.has(secret)) return;
    try {
      appendRunSecret(file, secret, 'seen by the suite during the run');
    } catch {
      // The scan reports a missing file; a worker must not fail for it.
    }
  };
  for (const s of registry.all()) write(s);
  registry.onAdd = write;
}

// ------------------------------------------------------------ main-process sources

const SOURCES = Symbol.for('katapult-conformance.secret-sources');
type SourceMap = Map<string, () => Iterable<string>>;
const sources = (): SourceMap => ((globalThis as Record<symbol, SourceMap>)[SOURCES] ??= new Map());

/**
 * Registers a source of secrets in this process (the bundled mock's issued
 * secrets). Kept on globalThis so that the global setup and the reporter share
 * it however their modules were loaded.
 */
export function registerSecretSource(label: string, list: () => Iterable<string>): void {
  sources().set(label, list);
}

export function sourcedSecrets(): KnownSecret[] {
  const out: KnownSecret[] = [];
  for (const [label, list] of sources()) {
    try {
      for (const value of list()) out.push({ value, source: label });
    } catch {
      // A source that cannot answer adds nothing.
    }
  }
  return out;
}

/** KATAPULT_API_TOKEN from the environment and every credential-like variable of the .env file. */
export function configuredSecrets(env: NodeJS.ProcessEnv = process.env): KnownSecret[] {
  const out: KnownSecret[] = [];
  const token = env.KATAPULT_API_TOKEN?.trim();
  if (token) out.push({ value: token, source: 'KATAPULT_API_TOKEN' });
  const file = env.DOTENV_CONFIG_PATH ?? path.join(REPO_ROOT, '.env');
  if (existsSync(file)) {
    let parsed: Record<string, string> = {};
    try {
      parsed = dotenv.parse(readFileSync(file));
    } catch {
      parsed = {};
    }
    for (const [name, value] of Object.entries(parsed)) {
      const v = value.trim();
      if (v && CREDENTIAL_NAME.test(name)) out.push({ value: v, source: `${name} from ${path.basename(file)}` });
    }
  }
  return out;
}
