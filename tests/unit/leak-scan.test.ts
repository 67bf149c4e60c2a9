/**
 * The leak scan finds a known secret in every form and container it claims
 * to, never prints the secret itself, and the reporter masks secrets in the
 * run's output at write time and fails the run on a hit.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { formatScan, readZip, scanForSecrets, SecretMatcher, type KnownSecret } from '../../src/leak/scan.ts';
import { appendRunSecret, attachSecretSink, configuredSecrets, createRunSecretsFile, readRunSecrets, removeRunSecretsFile, SECRETS_FILE_ENV } from '../../src/leak/known-secrets.ts';
import LeakScanReporter from '../../src/leak/leak-scan-reporter.ts';
import { MASK, SecretRegistry } from '../../src/model/redact.ts';

const SECRET = 'q7Zt-9vLm_Rx2Pw8Kd4Hs6Jn0Bc3Fy5Gu1Ae';
const known = (value: string, source = 'test'): KnownSecret => ({ value, source });

/** A tiny zip writer (stored or deflated entries) for the scanner's tests. */
function zip(entries: { name: string; data: Buffer; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'leak-scan-test-'));

describe('SecretMatcher', () => {
  const cases: [string, string, string][] = [
    ['as is', SECRET, `x ${SECRET} y`],
    ['JSON-escaped', 'pa"ss\\word-12345', `{"v": ${JSON.stringify('pa"ss\\word-12345')}}`],
    ['URL-encoded', 'a+b/c=d&e f-12345', `https://x/?t=${encodeURIComponent('a+b/c=d&e f-12345')}`],
    ['base64, aligned', SECRET, Buffer.from(SECRET).toString('base64')],
    ['base64, 1 byte before', SECRET, Buffer.from(`:${SECRET}`).toString('base64')],
    ['base64, 2 bytes before', SECRET, Buffer.from(`u:${SECRET}`).toString('base64')],
    ['base64url', `${SECRET}??>>`, Buffer.from(`ab${SECRET}??>>`).toString('base64url')],
  ];
  for (const [name, secret, text] of cases) {
    test(`finds a secret ${name}`, () => {
      const m = new SecretMatcher([known(secret)]);
      const found = m.find(Buffer.from(text, 'utf8').toString('latin1'));
      assert.ok(found.length > 0, `${name} not found in ${text}`);
      // …and not in text that merely resembles it.
      assert.deepEqual(m.find(text.replace(/[A-Za-z]/g, (c) => (c === 'z' ? 'y' : 'z'))), []);
    });
  }

  test('short values are not searched for (they would match ordinary text), and are counted', () => {
    const m = new SecretMatcher([known('abc'), known('1234567'), known(''), known(SECRET), known(SECRET)]);
    assert.equal(m.size, 1);
    assert.equal(m.tooShort, 2);
  });

  test('mask replaces every occurrence and says which secret, without the value', () => {
    const m = new SecretMatcher([known(SECRET, 'KATAPULT_API_TOKEN')]);
    const out = m.mask(`a ${SECRET} b ${SECRET}`, MASK);
    assert.equal(out.text, `a ${MASK} b ${MASK}`);
    assert.equal(out.found.length, 2);
    assert.match(m.describe(0), /^a secret \(KATAPULT_API_TOKEN, 36 characters, sha256 [0-9a-f]{8}\)$/);
    assert.ok(!m.describe(0).includes(SECRET.slice(0, 8)));
  });
});

describe('scanForSecrets', () => {
  const dir = tmp();
  after(() => removeRunSecretsFile(path.join(dir, 'x')));
  const other = 'Zk9-second-secret-value-0042';
  mkdirSync(path.join(dir, 'nested', 'deeper'), { recursive: true });
  writeFileSync(path.join(dir, 'clean.txt'), 'nothing to see\n');
  writeFileSync(path.join(dir, 'nested', 'deeper', 'log.txt'), `line 1\nline 2 has ${SECRET} at column 12\n`);
  writeFileSync(path.join(dir, 'trace.zip'), zip([{ name: 'trace.network', data: Buffer.from(`{"authorization":"Bearer ${SECRET}"}`), deflate: true }, { name: 'clean.txt', data: Buffer.from('ok') }]));
  writeFileSync(path.join(dir, 'nested.zip'), zip([{ name: 'inner.zip', data: zip([{ name: 'deep.json', data: Buffer.from(other), deflate: true }]) }]));
  writeFileSync(path.join(dir, 'log.gz'), gzipSync(`gzipped ${other}`));
  const embedded = zip([{ name: 'report.json', data: Buffer.from(JSON.stringify({ body: `secret=${SECRET}` })), deflate: true }]).toString('base64');
  writeFileSync(path.join(dir, 'index.html'), `<html>\n<template id="playwrightReportBase64">data:application/zip;base64,${embedded}</template>\n</html>`);
  writeFileSync(path.join(dir, 'broken.zip'), Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('not really a zip')]));
  symlinkSync('/etc/hostname', path.join(dir, 'link-not-followed'));

  const result = scanForSecrets(new SecretMatcher([known(SECRET, 'issued by the mock'), known(other, 'Authorization value')]), { paths: [dir], texts: [{ label: 'stdout', text: `printed ${SECRET}` }], base: dir });
  const where = result.hits.map((h) => `${h.where}:${h.line}:${h.column}`);

  test('finds secrets in plain files, with line and column', () => {
    assert.ok(where.includes('nested/deeper/log.txt:2:12'), where.join('\n'));
  });
  test('opens zip archives (stored and deflated), zips in zips, gzip, and the zip a Playwright HTML report embeds', () => {
    assert.ok(where.some((w) => w.startsWith('trace.zip › trace.network:1:')), where.join('\n'));
    assert.ok(where.some((w) => w.startsWith('nested.zip › inner.zip › deep.json:1:1')), where.join('\n'));
    assert.ok(where.some((w) => w.startsWith('log.gz › gunzipped:1:9')), where.join('\n'));
    assert.ok(where.some((w) => w.startsWith('index.html › embedded data at line 2 › report.json:1:')), where.join('\n'));
  });
  test('scans the texts it is given (a run\'s output)', () => {
    assert.ok(where.includes('stdout:1:9'), where.join('\n'));
  });
  test('reports what it could not read instead of passing it silently; does not follow symbolic links', () => {
    assert.ok(result.problems.some((p) => p.where === 'broken.zip'), JSON.stringify(result.problems));
    assert.ok(!where.some((w) => w.startsWith('link-not-followed')));
    assert.equal(result.hits.length, 6, where.join('\n'));
    assert.equal(result.files, 7);
  });
  test('nothing it returns or formats carries a secret', () => {
    const text = JSON.stringify(result) + formatScan(result).join('\n');
    assert.ok(!text.includes(SECRET) && !text.includes(other));
    assert.ok(!text.includes(Buffer.from(SECRET).toString('base64').slice(4, 20)));
  });
  test('readZip refuses what is not a zip', () => {
    assert.throws(() => readZip(Buffer.from('plain text, no end record, long enough to search')), /end-of-central-directory/);
  });
});

describe('known secrets', () => {
  test('.env credentials (by name) and KATAPULT_API_TOKEN count; other variables do not', () => {
    const d = tmp();
    writeFileSync(path.join(d, '.env'), 'BASE_URL=http://127.0.0.1:4010/core/v1\nKATAPULT_ORGANIZATION=acme\nSTAGING_SECRET=s3cr3t-value-1\nCI_PASSWORD=pw-value-12345\nDEPLOY_KEY=key-value-12345\nEMPTY_TOKEN=\n');
    const found = configuredSecrets({ DOTENV_CONFIG_PATH: path.join(d, '.env'), KATAPULT_API_TOKEN: 'env-token-123456' });
    assert.deepEqual(found.map((s) => s.value).sort(), ['env-token-123456', 'key-value-12345', 'pw-value-12345', 's3cr3t-value-1']);
    assert.ok(found.every((s) => !s.source.includes(s.value)));
  });

  test('the run file is private (0700 directory, 0600 file), read from an offset, torn lines ignored, removed after', () => {
    const file = createRunSecretsFile();
    try {
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
      appendRunSecret(file, 'first-secret-1', 'a');
      const one = readRunSecrets(file);
      assert.deepEqual(one.secrets.map((s) => s.value), ['first-secret-1']);
      appendRunSecret(file, 'second-secret-2', 'b');
      writeFileSync(file, '{"value":"torn', { flag: 'a' });
      const two = readRunSecrets(file, one.end);
      assert.deepEqual(two.secrets.map((s) => s.value), ['second-secret-2']);
    } finally {
      removeRunSecretsFile(file);
    }
    assert.ok(!existsSync(path.dirname(file)));
  });

  test('a worker\'s registry copies what it holds and everything it learns to the run file', () => {
    const file = createRunSecretsFile();
    try {
      const registry = new SecretRegistry();
      registry.add('held-before-1');
      attachSecretSink(registry, { [SECRETS_FILE_ENV]: file });
      registry.add('learnt-after-2');
      registry.add('learnt-after-2');
      assert.deepEqual(readRunSecrets(file).secrets.map((s) => s.value), ['held-before-1', 'learnt-after-2']);
    } finally {
      removeRunSecretsFile(file);
    }
  });
});

describe('LeakScanReporter', () => {
  const fakeStream = () => {
    const written: string[] = [];
    return { written, stream: { write: (chunk: unknown) => (written.push(String(chunk)), true) } };
  };

  async function withReporter(dotenv: string, body: (r: LeakScanReporter, out: ReturnType<typeof fakeStream>, dir: string) => Promise<void>) {
    const dir = tmp();
    writeFileSync(path.join(dir, '.env'), dotenv);
    const saved = process.env.DOTENV_CONFIG_PATH;
    process.env.DOTENV_CONFIG_PATH = path.join(dir, '.env');
    const out = fakeStream();
    const reports = path.join(dir, 'reports');
    mkdirSync(reports);
    try {
      const r = new LeakScanReporter({ dirs: [reports], streams: [{ stream: out.stream, label: 'stdout' }] });
      await body(r, out, reports);
      await r.onExit();
    } finally {
      if (saved === undefined) delete process.env.DOTENV_CONFIG_PATH;
      else process.env.DOTENV_CONFIG_PATH = saved;
    }
  }

  test('a clean run passes and says how much it searched', async () => {
    await withReporter(`STAGING_SECRET=${SECRET}\n`, async (r, out, reports) => {
      writeFileSync(path.join(reports, 'junit.xml'), '<testsuite/>');
      out.stream.write('nothing secret here\n');
      assert.equal(await r.onEnd({ status: 'passed' } as never), undefined);
      assert.match(out.written.at(-1)!, /^Leak scan: PASS — none of the 1 known secrets/);
      assert.equal(JSON.parse(readFileSync(path.join(reports, 'leak-scan.json'), 'utf8')).verdict, 'pass');
    });
  });

  test('a secret printed is masked before it is written, and a secret in a report fails the run; neither is repeated', async () => {
    await withReporter(`STAGING_SECRET=${SECRET}\n`, async (r, out, reports) => {
      const file = process.env[SECRETS_FILE_ENV]!;
      assert.ok(existsSync(file));
      // A worker learns a secret mid-run; it is masked from then on.
      appendRunSecret(file, 'worker-learnt-secret-77', 'seen by the suite during the run');
      out.stream.write(`oops ${SECRET} and worker-learnt-secret-77\n`);
      assert.equal(out.written[0], `oops ${MASK} and ${MASK}\n`);
      writeFileSync(path.join(reports, 'junit.xml'), `<failure message="Bearer worker-learnt-secret-77"/>`);
      const outcome = await r.onEnd({ status: 'passed' } as never);
      assert.deepEqual(outcome, { status: 'failed' });
      const printed = out.written.join('');
      assert.match(printed, /Leak scan: FAIL — a known secret was found in 3 places/);
      assert.match(printed, /junit\.xml:1:26: a secret \(seen by the suite during the run, 23 characters, sha256 [0-9a-f]{8}\)/);
      assert.match(printed, /stdout: a secret \(STAGING_SECRET from \.env, 36 characters, sha256 [0-9a-f]{8}\) would have been written; it was masked/);
      assert.ok(!printed.includes(SECRET) && !printed.slice(printed.indexOf('Leak scan')).includes('worker-learnt-secret-77'));
      const summary = readFileSync(path.join(reports, 'leak-scan.json'), 'utf8');
      assert.ok(!summary.includes(SECRET) && !summary.includes('worker-learnt-secret-77'));
      assert.ok(!existsSync(file), 'the run file is deleted after the scan');
    });
  });
});

test('a password in a URL is masked at capture, by the registry and in configuration errors', async () => {
  const { ConfigError } = await import('../../src/config/env.ts');
  const url = 'https://deploy:p4ss-w0rd@api.example.test/core/v1?x=1';
  assert.equal(new SecretRegistry().redactText(`GET ${url}`), `GET https://deploy:${MASK}@api.example.test/core/v1?x=1`);
  const e = new ConfigError(`BASE_URL=${url}: nothing answers there`);
  assert.ok(!e.message.includes('p4ss-w0rd') && !String(e.stack).includes('p4ss-w0rd'));
  // No password, nothing to mask.
  assert.equal(new SecretRegistry().redactText('see http://user@host/ and mailto:a@b.test'), 'see http://user@host/ and mailto:a@b.test');
});
