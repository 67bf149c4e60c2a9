/**
 * The leak scan: searches artifacts for known secrets, in the forms a secret
 * takes when something writes it (as is, JSON-escaped, URL-encoded, base64 at
 * any byte alignment) and inside the containers reports use (zip archives such
 * as traces and the Playwright HTML report's embedded data, gzip). Nothing it
 * returns or prints carries a secret: a hit names the file, the place and a
 * label ("a secret (issued by the mock, 43 characters, sha256 1a2b3c4d)").
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, inflateRawSync } from 'node:zlib';

export { describeSecret, fingerprint, MIN_SCANNED_SECRET_LENGTH, SecretMatcher, type Encoding, type KnownSecret } from '../model/secret-matcher.ts';
import type { Encoding } from '../model/secret-matcher.ts';

/** What the scanner needs of a matcher: SecretMatcher (the secrets themselves) or DigestMatcher (a merge's salted digests). */
export interface Matcher {
  readonly size: number;
  readonly tooShort: number;
  readonly needleCount: number;
  find(text: string): { offset: number; length: number; secret: number; encoding: Encoding }[];
  describe(index: number): string;
}

export interface LeakHit {
  /** File (relative to the scan's base) and, inside containers, the entry: "playwright/index.html › embedded zip › 1a2b.json". */
  where: string;
  line: number;
  column: number;
  encoding: Encoding;
  /** Masked description of the secret: never the secret itself. */
  secret: string;
}

export interface ScanProblem {
  where: string;
  problem: string;
}

export interface LeakScanResult {
  /** Distinct secrets searched for (those long enough to be searched). */
  secretsSearched: number;
  /** Secrets too short to search for without matching ordinary text. */
  secretsTooShort: number;
  /** Search strings derived from the secrets (all encodings and alignments). */
  needles: number;
  files: number;
  /** Files, container entries and texts scanned. */
  entries: number;
  bytes: number;
  hits: LeakHit[];
  /** Things that could not be scanned in full (the scan then cannot vouch for them). */
  problems: ScanProblem[];
}

/** Limits that keep a hostile or corrupt container from exhausting memory. */
const MAX_ENTRY_BYTES = 256 * 1024 * 1024;
const MAX_EXPANDED_BYTES = 1024 * 1024 * 1024;
const MAX_DEPTH = 4;

// ------------------------------------------------------------ containers

interface ZipEntry {
  name: string;
  data?: Buffer;
  problem?: string;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** A minimal zip reader (stored and deflated entries), enough for traces and Playwright's report. */
export function readZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('no zip end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new Error('corrupt zip central directory');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    p += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) {
      entries.push({ name, problem: 'corrupt local header' });
      continue;
    }
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    if (size > MAX_ENTRY_BYTES) {
      entries.push({ name, problem: `too large to scan (${size} bytes)` });
    } else if (method === 0) {
      entries.push({ name, data: raw });
    } else if (method === 8) {
      try {
        entries.push({ name, data: inflateRawSync(raw, { maxOutputLength: MAX_ENTRY_BYTES }) });
      } catch (e) {
        entries.push({ name, problem: `cannot be inflated (${(e as Error).message})` });
      }
    } else {
      entries.push({ name, problem: `compression method ${method} is not supported` });
    }
  }
  return entries;
}

const isZip = (b: Buffer) => b.length >= 4 && b.readUInt32LE(0) === LOCAL;
const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const DATA_URL = /data:application\/(?:zip|gzip|x-gzip|octet-stream);base64,([A-Za-z0-9+/=\s]{16,})/g;

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

export interface ScanInput {
  /** Files or directories (walked recursively; symbolic links are not followed). */
  paths?: string[];
  /** Texts that are not files (a run's stdout and stderr). */
  texts?: { label: string; text: string }[];
  /** Base for the file names in hits; default the current directory. */
  base?: string;
}

/** Scans files, directories and texts for the secrets of `matcher`. */
export function scanForSecrets(matcher: Matcher, input: ScanInput): LeakScanResult {
  const result: LeakScanResult = {
    secretsSearched: matcher.size,
    secretsTooShort: matcher.tooShort,
    needles: matcher.needleCount,
    files: 0,
    entries: 0,
    bytes: 0,
    hits: [],
    problems: [],
  };
  const base = input.base ?? process.cwd();
  let expanded = 0;

  const scanBuffer = (buf: Buffer, where: string, depth: number) => {
    result.entries++;
    result.bytes += buf.length;
    const text = buf.toString('latin1');
    for (const h of matcher.find(text)) {
      const { line, column } = lineAndColumn(text, h.offset);
      result.hits.push({ where, line, column, encoding: h.encoding, secret: matcher.describe(h.secret) });
    }
    if (depth >= MAX_DEPTH) return;
    const inner = (data: Buffer, label: string) => {
      expanded += data.length;
      if (expanded > MAX_EXPANDED_BYTES) {
        result.problems.push({ where: label, problem: 'not scanned: the containers expand to more than the scan allows' });
        return;
      }
      scanBuffer(data, label, depth + 1);
    };
    const openZip = (data: Buffer, label: string) => {
      try {
        for (const e of readZip(data)) {
          if (e.data) inner(e.data, `${label} › ${e.name}`);
          else result.problems.push({ where: `${label} › ${e.name}`, problem: e.problem ?? 'unreadable' });
        }
      } catch (e) {
        result.problems.push({ where: label, problem: `looks like a zip archive but cannot be read (${(e as Error).message})` });
      }
    };
    if (isZip(buf)) openZip(buf, where);
    else if (isGzip(buf)) {
      try {
        inner(gunzipSync(buf, { maxOutputLength: MAX_ENTRY_BYTES }), `${where} › gunzipped`);
      } catch (e) {
        result.problems.push({ where, problem: `looks gzipped but cannot be decompressed (${(e as Error).message})` });
      }
    }
    // Archives embedded as data: URLs (the Playwright HTML report keeps its data so).
    if (text.includes(';base64,')) {
      for (const m of text.matchAll(DATA_URL)) {
        const data = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
        const { line } = lineAndColumn(text, m.index ?? 0);
        const label = `${where} › embedded data at line ${line}`;
        if (isZip(data)) openZip(data, label);
        else if (isGzip(data)) {
          try {
            inner(gunzipSync(data, { maxOutputLength: MAX_ENTRY_BYTES }), `${label} › gunzipped`);
          } catch (e) {
            result.problems.push({ where: label, problem: `cannot be decompressed (${(e as Error).message})` });
          }
        } else inner(data, label);
      }
    }
  };

  const walk = (p: string) => {
    const rel = path.relative(base, p) || p;
    let st;
    try {
      st = lstatSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      result.problems.push({ where: rel, problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
      return;
    }
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      for (const entry of readdirSync(p).sort()) walk(path.join(p, entry));
      return;
    }
    if (!st.isFile()) return;
    if (st.size > MAX_ENTRY_BYTES) {
      result.problems.push({ where: rel, problem: `too large to scan (${st.size} bytes)` });
      return;
    }
    try {
      const buf = readFileSync(p);
      result.files++;
      scanBuffer(buf, rel, 0);
    } catch (e) {
      result.problems.push({ where: rel, problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
    }
  };

  for (const p of input.paths ?? []) walk(path.resolve(base, p));
  for (const t of input.texts ?? []) scanBuffer(Buffer.from(t.text, 'utf8'), t.label, 0);
  return result;
}

/** One line per hit and per problem, for people; carries no secret. */
export function formatScan(result: LeakScanResult): string[] {
  return [
    ...result.hits.map((h) => `${h.where}:${h.line}:${h.column}: ${h.secret}${h.encoding === 'as is' ? '' : `, ${h.encoding}`}`),
    ...result.problems.map((p) => `${p.where}: ${p.problem}`),
  ];
}
