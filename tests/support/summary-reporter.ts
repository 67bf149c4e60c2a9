/**
 * The node:test reporter of `npm test` (`--test-reporter`): the usual detail
 * (TAP, or spec on a terminal; `TEST_DETAIL=tap|spec|none` chooses) and then
 * a short summary for people: tests and suites, what each proof file
 * established (the first sentence of its opening comment), every skipped test
 * with its reason in capitals so that a clone without the vendor's reference
 * documents is never mistaken for full proof, every failure by file and name,
 * the time. The last line is always `tests: N passed, N failed, N skipped`,
 * which CI's "ran no test" detector reads. Node sets the exit code (non-zero
 * when a test failed), not this reporter.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { spec, tap } from 'node:test/reporters';

interface TestData {
  name?: string;
  nesting?: number;
  file?: string;
  skip?: string | boolean;
  todo?: string | boolean;
  message?: string;
  details?: { type?: string; duration_ms?: number; error?: { message?: string; cause?: unknown } };
}

export interface TestEvent {
  type: string;
  data: TestData;
}

interface FileTally {
  passed: number;
  failed: number;
  skipped: number;
}

export interface RunTally {
  /** node's own closing counts (tests, suites, pass, fail, cancelled, skipped, todo, duration_ms). */
  counts: Record<string, number>;
  files: Map<string, FileTally>;
  skips: { file: string; name: string; reason: string }[];
  failures: { file: string; name: string; message: string }[];
}

export function newTally(): RunTally {
  return { counts: {}, files: new Map(), skips: [], failures: [] };
}

export function record(tally: RunTally, event: TestEvent): void {
  const d = event.data ?? {};
  if (event.type === 'test:diagnostic' && d.nesting === 0 && d.message) {
    const m = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/.exec(d.message);
    if (m) tally.counts[m[1]!] = Number(m[2]);
    return;
  }
  if (event.type !== 'test:pass' && event.type !== 'test:fail') return;
  const file = d.file ?? '(no file)';
  const isSuite = d.details?.type === 'suite';
  const f = tally.files.get(file) ?? { passed: 0, failed: 0, skipped: 0 };
  tally.files.set(file, f);
  if (event.type === 'test:fail') {
    const error = d.details?.error;
    const cause = error?.cause as { message?: string } | string | undefined;
    const message = (typeof cause === 'string' ? cause : cause?.message) ?? error?.message ?? 'failed';
    // A suite fails when a test in it does (already listed) or when its own hook fails (listed here).
    if (!isSuite || !/subtests? failed/.test(message)) tally.failures.push({ file, name: d.name ?? '(unnamed)', message: message.split('\n')[0]! });
    if (!isSuite) f.failed++;
    return;
  }
  if (isSuite) return;
  if (d.skip !== undefined || d.todo !== undefined) {
    f.skipped++;
    const reason = d.skip ?? d.todo;
    tally.skips.push({ file, name: d.name ?? '(unnamed)', reason: typeof reason === 'string' && reason ? reason : 'no reason given' });
  } else f.passed++;
}

/** The first sentence of a test file's opening comment: what the file sets out to prove. */
export function claimOf(file: string, read: (f: string) => string = (f) => readFileSync(f, 'utf8')): string {
  let text: string;
  try {
    text = read(file);
  } catch {
    return '';
  }
  const comment = /^\s*\/\*\*([\s\S]*?)\*\//.exec(text)?.[1];
  if (!comment) return '';
  const flat = comment.split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()).filter(Boolean).join(' ');
  const sentence = /^(.+?\.)(\s|$)/.exec(flat)?.[1] ?? flat;
  return sentence.length > 140 ? `${sentence.slice(0, 139)}…` : sentence;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function summarize(tally: RunTally, options: { root?: string; wallMs?: number; claim?: (file: string) => string } = {}): string[] {
  const root = options.root ?? process.cwd();
  const claim = options.claim ?? claimOf;
  const c = tally.counts;
  const shown = (f: string) => (path.isAbsolute(f) ? path.relative(root, f) : f);
  const passed = c.pass ?? 0;
  const failed = (c.fail ?? 0) + (c.cancelled ?? 0);
  const skipped = (c.skipped ?? 0) + (c.todo ?? 0);
  const files = [...tally.files.keys()].sort();
  const proof = files.filter((f) => shown(f).startsWith(`tests${path.sep}proof${path.sep}`));
  const seconds = ((options.wallMs ?? c.duration_ms ?? 0) / 1000).toFixed(1);
  const lines = ['', '──── summary ────'];
  lines.push(`${plural(c.tests ?? 0, 'test')} in ${plural(c.suites ?? 0, 'suite')} and ${plural(files.length, 'file')}, ${seconds} s: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (proof.length) {
    lines.push('What the proof runs established:');
    for (const f of proof) {
      const t = tally.files.get(f)!;
      const mark = t.failed ? 'NOT PROVEN' : t.passed === 0 ? 'NOTHING RAN' : 'proven';
      const extra = [t.failed ? `${t.failed} failed` : '', t.skipped ? `${t.skipped} skipped` : ''].filter(Boolean).join(', ');
      lines.push(`  ${mark.padEnd(11)} ${shown(f)} (${t.passed} passed${extra ? `, ${extra}` : ''}): ${claim(f) || '(no opening comment)'}`);
    }
  }
  for (const s of tally.skips) lines.push(`SKIPPED: ${shown(s.file)} › ${s.name}: ${s.reason}`);
  if (tally.skips.length) lines.push(`SKIPPED ${plural(tally.skips.length, 'TEST', 'TESTS')}: this run is not the full proof (reasons above).`);
  for (const f of tally.failures) lines.push(`FAILED: ${shown(f.file)} › ${f.name}: ${f.message}`);
  if ((c.tests ?? 0) === 0) lines.push('NO TEST RAN.');
  // Alone on the last line, in the form CI's "ran no test" detector reads.
  lines.push(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return lines;
}

async function* detail(kind: string, events: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  if (kind === 'none') {
    for await (const _ of events);
    return;
  }
  if (kind === 'spec') {
    for await (const chunk of Readable.from(events).pipe(new (spec as unknown as new () => NodeJS.ReadWriteStream)())) yield String(chunk);
    return;
  }
  for await (const chunk of (tap as unknown as (s: AsyncIterable<TestEvent>) => AsyncIterable<string>)(events)) yield chunk;
}

export default async function* summaryReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const started = performance.now();
  const tally = newTally();
  async function* tee(): AsyncGenerator<TestEvent> {
    for await (const event of source) {
      record(tally, event);
      yield event;
    }
  }
  yield* detail(process.env.TEST_DETAIL ?? (process.stdout.isTTY ? 'spec' : 'tap'), tee());
  yield `${summarize(tally, { wallMs: performance.now() - started }).join('\n')}\n`;
}
