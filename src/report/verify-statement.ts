/**
 * Checks a conformance statement: its fingerprint, and that this suite (its
 * version, spec documents and catalogue) is the one that made it. Pure: the
 * statement's text and what the installed suite is, in; a verdict and lines, out.
 */
import { isObject } from '../model/json.ts';
import { fingerprintOf, STATEMENT_FORMAT, type Statement } from './statement.ts';

export interface InstalledSuite {
  name: string;
  version: string;
  specs: { path: string; sha256: string }[];
  catalogueSha256: string;
}

export interface Verification {
  /** The fingerprint matches the content. */
  intact: boolean;
  /** Suite name and version, spec hashes and catalogue hash all equal the installed suite's. */
  sameSuite: boolean;
  ok: boolean;
  lines: string[];
}

export function verifyStatement(text: string, installed: InstalledSuite): Verification {
  let s: Statement;
  try {
    s = JSON.parse(text);
  } catch {
    return { intact: false, sameSuite: false, ok: false, lines: ['not a conformance statement: the file is not JSON'] };
  }
  if (!isObject(s) || (s as { format?: unknown }).format !== STATEMENT_FORMAT || !isObject(s.fingerprint) || typeof s.fingerprint.value !== 'string') {
    return { intact: false, sameSuite: false, ok: false, lines: [`not a conformance statement: no "format": "${STATEMENT_FORMAT}" and "fingerprint" in it`] };
  }
  const lines: string[] = [];
  const recomputed = fingerprintOf(s);
  const intact = recomputed === s.fingerprint.value;
  lines.push(
    intact
      ? `fingerprint: OK (sha256 ${recomputed}): the file is as it was written`
      : `fingerprint: MISMATCH: the statement says ${s.fingerprint.value}, its content hashes to ${recomputed}: the file was changed after it was written`,
  );

  const differences: string[] = [];
  if (s.suite?.name !== installed.name || s.suite?.version !== installed.version)
    differences.push(`made by ${s.suite?.name ?? 'unknown'} ${s.suite?.version ?? 'unknown'}, this is ${installed.name} ${installed.version}`);
  const mine = new Map(installed.specs.map((d) => [d.path, d.sha256]));
  const theirs = new Map((Array.isArray(s.specs) ? s.specs : []).map((d) => [d.path, d.sha256]));
  for (const [file, hash] of theirs) {
    if (!mine.has(file)) differences.push(`spec document ${file} is not among this suite's`);
    else if (mine.get(file) !== hash) differences.push(`spec document ${file} differs (sha256 ${String(hash).slice(0, 12)}… in the statement, ${mine.get(file)!.slice(0, 12)}… here)`);
  }
  for (const file of mine.keys()) if (!theirs.has(file)) differences.push(`spec document ${file} of this suite is not in the statement`);
  if (s.catalogue?.sha256 !== installed.catalogueSha256) differences.push(`the scenario catalogue differs (sha256 ${String(s.catalogue?.sha256).slice(0, 12)}… in the statement, ${installed.catalogueSha256.slice(0, 12)}… here)`);
  const sameSuite = differences.length === 0;
  lines.push(sameSuite ? `suite: OK: made by this suite (${installed.name} ${installed.version}) against these spec documents and this catalogue` : `suite: DIFFERENT: ${differences.join('; ')}`);

  const ok = intact && sameSuite;
  if (ok) lines.push(`statement: VERIFIED: verdict ${s.verdict} for ${s.target?.base_url ?? 'no base URL'} (${s.target?.mode}) on ${s.date}`);
  else lines.push('statement: NOT VERIFIED');
  lines.push('(a fingerprint is a checksum, not a signature: it does not prove who made the statement or that the run took place)');
  return { intact, sameSuite, ok, lines };
}
