/**
 * The installable package, as a vendor uses it: `npm pack`, then `npm install
 * ./katapult-conformance-<v>.tgz` into an empty folder, then `npx
 * katapult-conformance …` there (no clone, no playwright.config.ts of the
 * user's). One pack and one install for the whole file: they are the
 * expensive part. The run against the example vendor mock is also that
 * example's proof that it passes the suite.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../src/config/env.ts';
import { gitCommit } from '../../src/report/provenance.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';

const { catalogue } = regenerateSecret;
const execFileP = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Suite settings that must not leak in from the developer's shell. */
const SUITE_VARS = ['BASE_URL', 'STATE_URL', 'KATAPULT_API_TOKEN', 'KATAPULT_ORGANIZATION', 'ERROR_ENVELOPE', 'REQUEST_TIMEOUT_MS', 'LIVE_RATE_LIMIT_BURST', 'CONFORMANCE_BUNDLED_MOCK', 'REPORTS_DIR', 'SPECS_DIR', 'CONFORMANCE_SECRETS_FILE', 'DOTENV_CONFIG_PATH', 'CONFORMANCE_RUN_ID'];

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', CI: '' };
  for (const v of SUITE_VARS) delete env[v];
  // npm's own variables of the outer `npm test` would point npx at this repository.
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  return env;
}

interface Result {
  code: number | null;
  output: string;
}

/** Runs a command in the user's folder; a generous hang guard only. */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: cleanEnv() });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the package, installed into an empty folder', { timeout: 900_000 }, () => {
  let work: string;
  let user: string;
  let tarball: string;
  let packed: string[];
  /** The checkout's commit as the tarball was packed: what the installed package's provenance must name. */
  let packedCommit: string | null;
  const installed = () => path.join(user, 'node_modules', 'katapult-conformance');
  const kc = (args: string[], timeoutMs?: number) => run('npx', ['katapult-conformance', ...args], user, timeoutMs);

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'conformance-package-'));
    user = path.join(work, 'user');
    mkdirSync(user);
    packedCommit = gitCommit(REPO_ROOT);
    const pack = await execFileP(NPM, ['pack', '--json', '--pack-destination', work], { cwd: REPO_ROOT, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
    const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(work, info[0]!.filename);
    packed = info[0]!.files.map((f) => f.path);
    await execFileP(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: user, env: cleanEnv(), timeout: 300_000 });
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('npm pack makes katapult-conformance-<version>.tgz with the compiled suite, specs, schemas and the example, and no tests or reports', () => {
    assert.equal(path.basename(tarball), `katapult-conformance-${version}.tgz`);
    for (const f of ['package.json', 'dist/src/cli/katapult-conformance.js', 'dist/src/cli/package-config.js', 'dist/src/cli/verify-cli.js', 'dist/tests/conformance/regenerate-secret.spec.js', 'specs/regenerate-secret.openapi.json', 'schemas/manifest.json', 'examples/vendor-mock/server.mjs', 'docs/conformance-contract.md', 'dist/build-info.json'])
      assert.ok(packed.includes(f), `${f} is packed`);
    assert.deepEqual(packed.filter((f) => f.startsWith('tests/') || f.startsWith('reports/') || f.startsWith('src/') || f.endsWith('.ts')), []);
  });

  test('--version, --help, and a usage error that exits 2', async () => {
    const v = await kc(['--version']);
    assert.equal(v.code, 0, v.output);
    assert.equal(v.output.trim(), version);
    const help = await kc(['--help']);
    assert.equal(help.code, 0, help.output);
    for (const word of ['test', 'mock', 'check-states', 'cleanup', 'schemas', 'merge', 'verify', '--base-url', '--state-url', '--reports-dir']) assert.match(help.output, new RegExp(`\\s${word}\\b`));
    const bad = await kc(['test', '--no-such-flag']);
    assert.equal(bad.code, 2, bad.output);
    assert.match(bad.output, /unknown option --no-such-flag/);
  });

  test('`test` passes against the bundled mock and writes every report into ./reports of that folder', async () => {
    const r = await kc(['test']);
    assert.equal(r.code, 0, r.output);
    const reports = path.join(user, 'reports');
    for (const f of ['conformance.html', 'conformance.json', 'junit.xml', 'playwright/index.html']) assert.ok(existsSync(path.join(reports, f)), `reports/${f} written`);
    const json = JSON.parse(readFileSync(path.join(reports, 'conformance.json'), 'utf8'));
    assert.equal(json.verdict, 'pass');
    assert.equal(json.mode, 'bundled');
    assert.equal(json.scenarios.length, catalogue.length);
    // No .git in the package: the commit comes from the dist/build-info.json prepack wrote.
    assert.equal(json.provenance.suite.commit, packedCommit);
    assert.match(r.output, /Leak scan: PASS/);
    // Nothing lands inside the installed package.
    assert.equal(existsSync(path.join(installed(), 'reports')), false);
  });

  test('that run wrote a conformance statement and a badge; `verify` accepts it, and refuses a copy edited by hand', async () => {
    const reports = path.join(user, 'reports');
    const statement = JSON.parse(readFileSync(path.join(reports, 'conformance-statement.json'), 'utf8'));
    assert.equal(statement.verdict, 'pass');
    assert.equal(statement.suite.version, version);
    assert.match(readFileSync(path.join(reports, 'conformance-statement.md'), 'utf8'), /^# Conformance statement: PASS/);
    assert.match(readFileSync(path.join(reports, 'badge.svg'), 'utf8'), new RegExp(`>pass ${catalogue.length}/${catalogue.length}<`));
    const ok = await kc(['verify', 'reports/conformance-statement.json']);
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.output, /statement: VERIFIED/);
    const edited = JSON.stringify({ ...statement, target: { ...statement.target, base_url: 'https://mock.example.com/core/v1' } }, null, 2);
    writeFileSync(path.join(user, 'edited-statement.json'), edited);
    const bad = await kc(['verify', 'edited-statement.json']);
    assert.equal(bad.code, 1, bad.output);
    assert.match(bad.output, /fingerprint: MISMATCH/);
  });

  test('`test --shard=1/2`, `test --shard=2/2`, then `merge reports/blob`: the merged run of the whole catalogue passes, exit 0; `merge` alone exits 2', async () => {
    const dir = path.join(user, 'sharded');
    mkdirSync(dir);
    for (const shard of ['1/2', '2/2']) {
      const r = await run('npx', ['katapult-conformance', 'test', `--shard=${shard}`], dir);
      assert.equal(r.code, 0, r.output);
    }
    const merged = await run('npx', ['katapult-conformance', 'merge', 'reports/blob'], dir);
    assert.equal(merged.code, 0, merged.output);
    assert.match(merged.output, /Merged 2 blobs: verdict PASS, leak scan PASS; exit 0\./);
    const json = JSON.parse(readFileSync(path.join(dir, 'reports', 'conformance.json'), 'utf8'));
    assert.equal(json.verdict, 'pass');
    assert.equal(json.scenarios.length, catalogue.length);
    assert.ok(existsSync(path.join(dir, 'reports', 'playwright', 'index.html')), 'the merge wrote the Playwright HTML report');
    const usage = await run('npx', ['katapult-conformance', 'merge'], dir);
    assert.equal(usage.code, 2, usage.output);
    assert.match(usage.output, /katapult-conformance merge: name at least one folder of blobs/);
  });

  describe('against the example vendor mock (started from the installed package)', () => {
    let mock: ReturnType<typeof spawn> | undefined;
    let baseUrl = '';
    let stateUrl = '';
    before(async () => {
      mock = spawn(process.execPath, [path.join(installed(), 'examples/vendor-mock/server.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`the example mock printed no URLs:\n${out}`)), 60_000);
        mock!.stdout!.on('data', (d) => {
          out += d;
          const b = /^BASE_URL=(\S+)$/m.exec(out)?.[1];
          const s = /^STATE_URL=(\S+)$/m.exec(out)?.[1];
          if (b && s) {
            clearTimeout(guard);
            [baseUrl, stateUrl] = [b, s];
            resolve();
          }
        });
      });
    });
    after(() => {
      mock?.kill('SIGTERM');
    });

    test('`check-states --state-url` passes, exit 0', async () => {
      const r = await kc(['check-states', '--state-url', stateUrl]);
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /check-states: PASS — all 9 states/);
    });

    test('`test --base-url … --state-url … --reports-dir …` passes every scenario of the catalogue', async () => {
      const r = await kc(['test', '--base-url', baseUrl, '--state-url', stateUrl, '--reports-dir', 'vendor-reports']);
      assert.equal(r.code, 0, r.output);
      const json = JSON.parse(readFileSync(path.join(user, 'vendor-reports', 'conformance.json'), 'utf8'));
      assert.equal(json.verdict, 'pass');
      assert.equal(json.mode, 'state');
      assert.equal(json.target, baseUrl);
      assert.deepEqual(json.scenarios.map((s: any) => s.id).sort(), catalogue.map((c) => c.id).sort());
      for (const s of json.scenarios) assert.equal(s.outcome, 'passed', `${s.id}: ${s.messages.join('; ')}`);
    });
  });
});
