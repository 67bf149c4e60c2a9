/**
 * Provenance: what produced a report, so that two reports can be compared
 * honestly (a baseline from another suite version, spec or catalogue says so).
 * Collecting it never fails a run: what cannot be known is null.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { listSpecs } from '../schema/generate.ts';
import { readBuildInfo } from './build-info.ts';

export interface SpecDocumentHash {
  /** The document's file name inside SPECS_DIR. */
  path: string;
  sha256: string;
}

export interface Provenance {
  suite: {
    name: string;
    version: string;
    /** The suite's git commit: its checkout's, or the one an installed package was packed from (dist/build-info.json); null when unknown. */
    commit: string | null;
    /** true when the installed package was packed from a checkout with uncommitted changes (the commit is then only its base). */
    dirty?: true;
  };
  specs: {
    /** SPECS_DIR as configured (relative to the suite's root when inside it). */
    dir: string;
    documents: SpecDocumentHash[];
    /** Why no document could be hashed, when none could. */
    error?: string;
  };
  catalogue: {
    scenarios: number;
    /** sha256 of the canonical JSON (keys sorted) of the scenario list. */
    sha256: string;
  };
  playwright: string | null;
  node: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** JSON with every object's keys sorted, undefined dropped as JSON.stringify drops it: one text per value. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((x) => (x === undefined || typeof x === 'function' ? null : sort(x)));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined && typeof x !== 'function') out[k] = sort(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

export function catalogueHash(scenarios: readonly unknown[]): string {
  return sha256(canonicalJson(scenarios));
}

/**
 * The suite's own commit. Only when the suite's root holds its own `.git`:
 * an installed package inside someone else's repository must not report
 * that repository's commit as the suite's.
 */
export function gitCommit(root: string): string | null {
  if (!existsSync(path.join(root, '.git'))) return null;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : null;
  } catch {
    return null;
  }
}

/**
 * The suite's commit: from git in a checkout (the root holds `.git`), else
 * from the build info `npm pack` wrote into the package.
 */
export function suiteCommit(root: string): { commit: string | null; dirty?: true } {
  if (existsSync(path.join(root, '.git'))) return { commit: gitCommit(root) };
  const built = readBuildInfo(root);
  return built?.commit ? { commit: built.commit, ...(built.dirty ? { dirty: true as const } : {}) } : { commit: null };
}

export function playwrightVersion(root: string): string | null {
  try {
    const require = createRequire(path.join(root, 'package.json'));
    return (require('@playwright/test/package.json') as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

export function specHashes(specsDir: string): { documents: SpecDocumentHash[]; error?: string } {
  try {
    return { documents: listSpecs(specsDir).map((file) => ({ path: file, sha256: sha256(readFileSync(path.join(specsDir, file))) })) };
  } catch (e) {
    return { documents: [], error: (e as Error).message };
  }
}

export interface ProvenanceInput {
  /** The suite's root: its package.json, node_modules and (in a checkout) .git. */
  root: string;
  specsDir: string;
  catalogue: readonly unknown[];
}

export function collectProvenance({ root, specsDir, catalogue }: ProvenanceInput): Provenance {
  let pkg: { name?: string; version?: string } = {};
  try {
    pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  } catch {
    // Name and version stay unknown; nothing else depends on them.
  }
  const relative = path.relative(root, specsDir);
  const dir = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : specsDir;
  return {
    suite: { name: pkg.name ?? 'unknown', version: pkg.version ?? 'unknown', ...suiteCommit(root) },
    specs: { dir: dir || '.', ...specHashes(specsDir) },
    catalogue: { scenarios: catalogue.length, sha256: catalogueHash(catalogue) },
    playwright: playwrightVersion(root),
    node: process.version,
  };
}

/**
 * How two provenances differ, in words ("suite version 0.1.0 → 0.2.0"), for a
 * comparison that must say when it compares unlike runs. Empty: alike.
 */
export function provenanceDifferences(before: Partial<Provenance> | undefined, now: Provenance): string[] {
  if (!before || typeof before !== 'object') return ['the baseline carries no provenance (an older suite wrote it), so its suite version, spec and catalogue are unknown'];
  const out: string[] = [];
  const b = before as Provenance;
  if (b.suite?.version !== now.suite.version) out.push(`suite version ${b.suite?.version ?? 'unknown'} → ${now.suite.version}`);
  else if (b.suite?.commit && now.suite.commit && b.suite.commit !== now.suite.commit) out.push(`suite commit ${b.suite.commit.slice(0, 12)} → ${now.suite.commit.slice(0, 12)}`);
  const docs = (p: Provenance) => new Map((p.specs?.documents ?? []).map((d) => [d.path, d.sha256]));
  const was = docs(b);
  const is = docs(now);
  for (const [file, hash] of is) {
    if (!was.has(file)) out.push(`spec document ${file} is new`);
    else if (was.get(file) !== hash) out.push(`spec document ${file} changed (sha256 ${was.get(file)!.slice(0, 12)} → ${hash.slice(0, 12)})`);
  }
  for (const file of was.keys()) if (!is.has(file)) out.push(`spec document ${file} is gone`);
  if (b.catalogue?.sha256 !== now.catalogue.sha256) out.push(`scenario catalogue changed (${b.catalogue?.scenarios ?? '?'} → ${now.catalogue.scenarios} scenarios, sha256 ${(b.catalogue?.sha256 ?? 'unknown').slice(0, 12)} → ${now.catalogue.sha256.slice(0, 12)})`);
  if (b.playwright !== now.playwright) out.push(`Playwright ${b.playwright ?? 'unknown'} → ${now.playwright ?? 'unknown'}`);
  return out;
}
