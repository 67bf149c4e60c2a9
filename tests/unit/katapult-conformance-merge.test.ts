/**
 * `katapult-conformance merge DIR…` is the merge of `npm run merge -- DIR…`
 * as a subcommand of the installed command: listed in --help, its own --help,
 * and the same usage errors (exit 2). The merge itself is proven by
 * tests/proof/sharding.test.ts (through `npm run merge`, the same runMerge).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.ts';

function kc(args: string[], cwd = REPO_ROOT): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'src/cli/katapult-conformance.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, REPORTS_DIR: '', DOTENV_CONFIG_PATH: path.join(tmpdir(), 'no-such-dotenv') },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--help lists merge with the other subcommands', () => {
  const r = kc(['--help']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^ {2}merge DIR \[DIR…\] +merge the blobs of a sharded run/m);
  for (const word of ['test', 'mock', 'check-states', 'cleanup', 'schemas', 'verify']) assert.match(r.out, new RegExp(`^ {2}${word}\\b`, 'm'));
});

test('merge --help prints its usage and exits 0', () => {
  const r = kc(['merge', '--help']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Usage: katapult-conformance merge DIR \[DIR…\]/);
  assert.match(r.out, /Exits 0 when the merged run passes, 1 when it\nfails, is incomplete or a secret leaked, 2 on a usage error/);
});

test('merge without a folder, with a missing folder, with no blob in it, or an unknown flag: exit 2 with the reason', () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'kc-merge-'));
  writeFileSync(path.join(empty, 'not-a-blob.txt'), 'x');
  const cases: [string[], RegExp][] = [
    [['merge'], /katapult-conformance merge: name at least one folder of blobs/],
    [['merge', path.join(empty, 'missing')], /katapult-conformance merge: .*missing is not a folder/],
    [['merge', empty], /katapult-conformance merge: no blob \(\*\.zip\) found in /],
    [['merge', '--bogus'], /katapult-conformance merge: Unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    const r = kc(args, empty);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
  }
});
