/**
 * The post-run leak scan, as a Playwright reporter listed LAST in
 * playwright.config.ts: Playwright awaits the reporters' onEnd in order, so
 * when this one runs every report (conformance HTML/JSON, JUnit, Playwright's
 * HTML report with its attachments, the test-results folder) has been written.
 *
 * - From its construction on, everything the run prints (stdout and stderr of
 *   the main process, which also carries the workers' output) passes through
 *   a guard that masks every known secret before it is written, and counts it.
 * - onEnd searches every file under the report folders for every secret of
 *   the run (see known-secrets.ts), in every encoding and container scan.ts
 *   knows, prints one summary line (and one masked line per hit), writes
 *   leak-scan.json, deletes the run's secrets file, and fails the run on any
 *   hit or on anything it could not scan.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullResult, Reporter } from '@playwright/test/reporter';
import { REPO_ROOT } from '../config/env.ts';
import { MASK } from '../model/redact.ts';
import {
  configuredSecrets,
  createRunSecretsFile,
  readRunSecrets,
  removeRunSecretsFile,
  sweepStaleRunSecretsFiles,
  runSecretsFileSize,
  SECRETS_FILE_ENV,
  sourcedSecrets,
} from './known-secrets.ts';
import { formatScan, scanForSecrets, SecretMatcher, type KnownSecret, type LeakScanResult, type Matcher, type ScanProblem } from './scan.ts';
import { CombinedMatcher, DIGEST_FILE_SUFFIX, DigestMatcher, parseDigestFile, toDigestFile, type DigestFile } from './digests.ts';

interface Options {
  /** Folders to scan (relative to the repository root); default ["reports"]. */
  dirs?: string[];
  /** Where to write the scan's own summary (masked); default <first dir>/leak-scan.json. */
  outputFile?: string;
  /** The streams to guard; default the process's stdout and stderr (the project's tests pass their own). */
  streams?: { stream: { write: (...args: any[]) => boolean }; label: string }[];
  /** A shard: write salted digests of every secret it knew here (next to its blob), for the merge's scan. */
  digestsFile?: string;
  /** Which shard, "1/2". */
  shard?: string;
  /** A merge: the folder of the shards' blobs and digest files; their secrets are searched by digest. */
  digestsDir?: string;
}

/** The digest files of a merge's blob folder; a blob without one is a problem (its secrets are unknown). */
function readDigests(dir: string): { files: DigestFile[]; problems: ScanProblem[] } {
  const files: DigestFile[] = [];
  const problems: ScanProblem[] = [];
  const names = existsSync(dir) ? readdirSync(dir) : [];
  for (const name of names.filter((n) => n.endsWith(DIGEST_FILE_SUFFIX))) {
    try {
      files.push(parseDigestFile(readFileSync(path.join(dir, name), 'utf8'), name));
    } catch (e) {
      problems.push({ where: name, problem: (e as Error).message });
    }
  }
  for (const blob of names.filter((n) => n.endsWith('.zip'))) {
    if (!names.includes(blob.replace(/\.zip$/, DIGEST_FILE_SUFFIX)))
      problems.push({ where: blob, problem: `came without its ${DIGEST_FILE_SUFFIX} file, so the secrets of that shard are unknown to this scan; merge the whole blob/ folder of each shard` });
  }
  return { files, problems };
}

/** How much of the run's output is kept for the final scan. */
const CAPTURE_LIMIT = 16 * 1024 * 1024;

export default class LeakScanReporter implements Reporter {
  private readonly dirs: string[];
  private readonly outputFile: string;
  private readonly secretsFile: string;
  private readonly options: Options;
  private known: KnownSecret[];
  private readFrom = 0;
  private fileSize = 0;
  private matcher: SecretMatcher;
  private captured = '';
  private capturedTruncated = false;
  private readonly stdioHits: string[] = [];
  private readonly restore: (() => void)[] = [];
  private done = false;
  /** Where the summary is printed. */
  private readonly out: { write: (text: string) => unknown };

  constructor(options: Options = {}) {
    this.options = options;
    this.dirs = (options.dirs ?? ['reports']).map((d) => path.resolve(REPO_ROOT, d));
    this.outputFile = options.outputFile ? path.resolve(REPO_ROOT, options.outputFile) : path.join(this.dirs[0], 'leak-scan.json');
    sweepStaleRunSecretsFiles();
    this.secretsFile = createRunSecretsFile();
    process.env[SECRETS_FILE_ENV] = this.secretsFile;
    process.once('exit', () => removeRunSecretsFile(this.secretsFile));
    // A cancelled CI job sends SIGTERM: remove the file, then die of the signal as before.
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        removeRunSecretsFile(this.secretsFile);
        process.kill(process.pid, signal);
      });
    }
    this.out = options.streams?.[0]?.stream ?? process.stdout;
    this.known = configuredSecrets();
    this.matcher = new SecretMatcher(this.known);
    for (const { stream, label } of options.streams ?? [
      { stream: process.stdout, label: 'stdout' },
      { stream: process.stderr, label: 'stderr' },
    ])
      this.guard(stream, label);
  }

  printsToStdio(): boolean {
    return false;
  }

  /** Takes in the secrets the workers learnt since the last look. */
  private refresh(): void {
    const size = runSecretsFileSize(this.secretsFile);
    if (size === this.fileSize) return;
    this.fileSize = size;
    const { secrets, end } = readRunSecrets(this.secretsFile, this.readFrom);
    this.readFrom = end;
    if (secrets.length === 0) return;
    this.known.push(...secrets);
    this.matcher = new SecretMatcher(this.known);
  }

  /** Masks known secrets in everything written to the stream, and keeps a copy for the final scan. */
  private guard(stream: { write: (...args: any[]) => boolean }, label: string): void {
    const original = stream.write;
    const self = this;
    const guarded = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      try {
        const encoding = typeof rest[0] === 'string' ? rest[0] : undefined;
        const text =
          typeof chunk === 'string' && (encoding === undefined || /^utf-?8$/i.test(encoding))
            ? chunk
            : chunk instanceof Uint8Array
              ? Buffer.from(chunk).toString('utf8')
              : undefined;
        if (text !== undefined) {
          self.refresh();
          const { text: masked, found } = self.matcher.mask(text, MASK);
          for (const f of found) self.stdioHits.push(`${label}: ${self.matcher.describe(f.secret)} would have been written${f.encoding === 'as is' ? '' : ` (${f.encoding})`}; it was masked`);
          if (found.length) chunk = masked;
          self.capture(masked);
        }
      } catch {
        // The guard must never break the run's output.
      }
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    };
    stream.write = guarded;
    this.restore.push(() => {
      if (stream.write === guarded) stream.write = original;
    });
  }

  private capture(text: string): void {
    if (this.captured.length + text.length > CAPTURE_LIMIT) {
      this.capturedTruncated = true;
      return;
    }
    this.captured += text;
  }

  async onEnd(_result: FullResult): Promise<{ status?: FullResult['status'] } | undefined> {
    this.refresh();
    const secrets = [...this.known, ...sourcedSecrets()];
    const own = new SecretMatcher(secrets);
    let matcher: Matcher = own;
    let digests: { files: DigestFile[]; problems: ScanProblem[] } = { files: [], problems: [] };
    let fromDigests = '';
    if (this.options.digestsDir) {
      digests = readDigests(this.options.digestsDir);
      const byDigest = new DigestMatcher(digests.files);
      matcher = new CombinedMatcher([own, byDigest]);
      fromDigests = `; ${byDigest.size} of them known to this merge only by the salted digests the shards left (${digests.files.map((f) => `${f.secrets.length} of shard ${f.shard}`).join(', ') || 'none'})`;
    }
    const digestProblems: ScanProblem[] = [...digests.problems];
    if (this.options.digestsFile) {
      try {
        mkdirSync(path.dirname(this.options.digestsFile), { recursive: true });
        writeFileSync(this.options.digestsFile, `${JSON.stringify(toDigestFile(secrets, this.options.shard ?? '?'), null, 1)}\n`);
      } catch (e) {
        digestProblems.push({ where: this.options.digestsFile, problem: `the digests of this shard's secrets could not be written (${(e as Error).message}); the merge cannot scan for them` });
      }
    }
    const result = scanForSecrets(matcher, { paths: this.dirs, texts: [{ label: 'the run\'s stdout/stderr', text: this.captured }], base: process.cwd() });
    result.problems.push(...digestProblems);
    if (this.capturedTruncated) result.problems.push({ where: 'the run\'s stdout/stderr', problem: `more than ${CAPTURE_LIMIT} characters: only the first part was kept for the final scan (all of it passed the write-time guard)` });
    removeRunSecretsFile(this.secretsFile);
    delete process.env[SECRETS_FILE_ENV];

    const lines = [...formatScan(result), ...this.stdioHits];
    const failed = lines.length > 0;
    const bySource: Record<string, number> = {};
    for (const s of own.secrets) bySource[s.source] = (bySource[s.source] ?? 0) + 1;
    for (const f of digests.files) bySource[`salted digests of shard ${f.shard}`] = f.secrets.length;
    this.writeSummary(result, failed, bySource);
    const where = `${result.files} files (${result.entries} files, archive entries and texts, ${(result.bytes / 1024 / 1024).toFixed(1)} MB) under ${this.dirs.map((d) => path.relative(process.cwd(), d) || '.').join(', ')} and the run's output`;
    if (!failed) {
      this.out.write(`Leak scan: PASS — none of the ${matcher.size} known secrets of this run (configured tokens, state and response secrets, secrets the bundled mock issued, Authorization values${fromDigests}) appears in ${where}.\n`);
      return undefined;
    }
    const found = result.hits.length + this.stdioHits.length;
    this.out.write(
      `Leak scan: FAIL — ${found ? `a known secret was found in ${found} place${found === 1 ? '' : 's'}` : 'the artifacts could not all be scanned'} (masked here); do not publish these artifacts:\n` +
        lines.map((l) => `  ${l}\n`).join(''),
    );
    return { status: 'failed' };
  }

  private writeSummary(result: LeakScanResult, failed: boolean, bySource: Record<string, number>): void {
    try {
      mkdirSync(path.dirname(this.outputFile), { recursive: true });
      writeFileSync(
        this.outputFile,
        `${JSON.stringify(
          {
            verdict: failed ? 'fail' : 'pass',
            secretsSearched: result.secretsSearched,
            secretsTooShort: result.secretsTooShort,
            secretsBySource: bySource,
            files: result.files,
            entries: result.entries,
            bytes: result.bytes,
            hits: result.hits,
            stdio: this.stdioHits,
            problems: result.problems,
          },
          null,
          2,
        )}\n`,
      );
    } catch {
      // The printed summary is the one that counts.
    }
  }

  async onExit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const r of this.restore) r();
  }
}

