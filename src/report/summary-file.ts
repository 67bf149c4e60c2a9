/**
 * Writes reports/summary.md and appends it to $GITHUB_STEP_SUMMARY when that
 * is set. The text is masked with every secret the run knows (the leak scan's
 * own list) before it is written: the step summary lies outside REPORTS_DIR,
 * so the post-run scan can vouch for it only through summary.md, which holds
 * the same text.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SecretRegistry } from '../model/redact.ts';
import { configuredSecrets, readRunSecrets, SECRETS_FILE_ENV, sourcedSecrets } from '../leak/known-secrets.ts';

export const SUMMARY_FILE = 'summary.md';

export function maskWithRunSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const registry = new SecretRegistry();
  const file = env[SECRETS_FILE_ENV];
  const known = [...configuredSecrets(env), ...sourcedSecrets(), ...(file ? readRunSecrets(file).secrets : [])];
  for (const s of known) registry.add(s.value);
  return registry.redactText(text);
}

/** Returns a warning when the step summary could not be appended to (the run goes on). */
export function writeSummary(dir: string, text: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const masked = maskWithRunSecrets(text, env);
  writeFileSync(path.join(dir, SUMMARY_FILE), masked);
  const stepSummary = env.GITHUB_STEP_SUMMARY?.trim();
  if (!stepSummary) return undefined;
  try {
    appendFileSync(stepSummary, masked);
    return undefined;
  } catch (e) {
    return `GITHUB_STEP_SUMMARY=${stepSummary}: cannot append the summary (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}
