import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, loadDotenv } from '../../src/config/env.ts';

const throwsConfig = (env: NodeJS.ProcessEnv, pattern: RegExp) =>
  assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && pattern.test((e as Error).message));

test('no BASE_URL means the bundled mock', () => {
  const c = loadConfig({});
  assert.equal(c.mode, 'bundled');
  assert.equal(c.envelope, 'flat');
  assert.equal(c.requestTimeoutMs, 10000);
});

test('BASE_URL alone is base-only; with STATE_URL it is a vendor mock; with credentials, live', () => {
  assert.equal(loadConfig({ BASE_URL: 'http://127.0.0.1:1/core/v1/' }).mode, 'base-only');
  assert.equal(loadConfig({ BASE_URL: 'http://127.0.0.1:1/core/v1/' }).baseUrl, 'http://127.0.0.1:1/core/v1');
  assert.equal(loadConfig({ BASE_URL: 'http://x/core/v1', STATE_URL: 'http://x/states' }).mode, 'state');
  assert.equal(loadConfig({ BASE_URL: 'http://x/core/v1', KATAPULT_API_TOKEN: 't', KATAPULT_ORGANIZATION: 'o' }).mode, 'live');
});

test('the bundled marker keeps reporting bundled after the mock started', () => {
  const c = loadConfig({ BASE_URL: 'http://127.0.0.1:5/core/v1', STATE_URL: 'http://127.0.0.1:5/_provider-states', CONFORMANCE_BUNDLED_MOCK: '1' });
  assert.equal(c.mode, 'bundled');
});

test('unusable configurations name the variable', () => {
  throwsConfig({ ERROR_ENVELOPE: 'nested' }, /ERROR_ENVELOPE="nested" is not known/);
  throwsConfig({ KATAPULT_API_TOKEN: 'abc' }, /KATAPULT_ORGANIZATION is not/);
  throwsConfig({ KATAPULT_ORGANIZATION: 'org' }, /KATAPULT_API_TOKEN is not/);
  throwsConfig({ BASE_URL: 'not a url' }, /BASE_URL="not a url" is not a URL/);
  throwsConfig({ BASE_URL: 'ftp://x' }, /must be an http/);
  throwsConfig({ STATE_URL: 'http://x/states' }, /STATE_URL is set but BASE_URL is not/);
  throwsConfig({ REQUEST_TIMEOUT_MS: '-3' }, /REQUEST_TIMEOUT_MS/);
  throwsConfig({ LIVE_RATE_LIMIT_BURST: 'maybe' }, /LIVE_RATE_LIMIT_BURST/);
});

test('a ConfigError carries no stack trace beyond its message', () => {
  const e = new ConfigError('BASE_URL is wrong');
  assert.equal(e.stack, 'ConfigError: BASE_URL is wrong');
});

test('.env fills what the environment lacks, and the environment wins', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dotenv-'));
  const file = path.join(dir, '.env');
  writeFileSync(file, 'BASE_URL=http://from-dotenv/core/v1\nERROR_ENVELOPE=wrapped\n');
  const env: NodeJS.ProcessEnv = { DOTENV_CONFIG_PATH: file, ERROR_ENVELOPE: 'flat' };
  loadDotenv(env);
  assert.equal(env.BASE_URL, 'http://from-dotenv/core/v1');
  assert.equal(env.ERROR_ENVELOPE, 'flat');
});

test('CONFORMANCE_WORKERS must be a positive number or a percentage, never a hang', () => {
  assert.equal(loadConfig({ CONFORMANCE_WORKERS: '3' }).mode, 'bundled');
  assert.equal(loadConfig({ CONFORMANCE_WORKERS: '50%' }).mode, 'bundled');
  throwsConfig({ CONFORMANCE_WORKERS: 'abc' }, /CONFORMANCE_WORKERS="abc" must be a positive whole number/);
  throwsConfig({ CONFORMANCE_WORKERS: '0' }, /CONFORMANCE_WORKERS/);
});

test('a URL with user:password@ is refused with a message that does not repeat the password', () => {
  assert.throws(
    () => loadConfig({ BASE_URL: 'http://qa:hunter2secret@127.0.0.1:1/core/v1' }),
    (e: unknown) => e instanceof ConfigError && /must not carry user:password@/.test((e as Error).message) && !(e as Error).message.includes('hunter2secret'),
  );
});

test('SECRET_STRENGTH: warn by default, fail on request, anything else refused naming the variable', () => {
  assert.equal(loadConfig({}).secretStrength, 'warn');
  assert.equal(loadConfig({ SECRET_STRENGTH: 'fail' }).secretStrength, 'fail');
  assert.equal(loadConfig({ SECRET_STRENGTH: ' FAIL ' }).secretStrength, 'fail');
  throwsConfig({ SECRET_STRENGTH: 'strict' }, /SECRET_STRENGTH="strict" is not known; use "warn" .* or "fail"/);
});
