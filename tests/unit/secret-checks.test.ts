/**
 * The pure checks of issue 10: held secrets in response headers (every
 * encoding), UTF-8 (declared charset, first invalid byte) and secret strength
 * (length, estimated entropy, continuation of the previous secret).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { checkNoSecretInHeaders, headersCarryingSecrets } from '../../src/checks/header-secrets.ts';
import { checkUtf8, declaredCharset, firstInvalidUtf8Offset } from '../../src/checks/utf8.ts';
import { assessSecret, checkSecretStrength } from '../../src/checks/secret-strength.ts';

const SECRET = 'Zx9-qW3_rT7yU1iO5pA2sD8fG4hJ6kL0';

test('a held secret in a header is found as is, URL-encoded and base64, and reported by header name only', () => {
  const secret = 'abc/def+ghi=jkl:mno?pqr';
  const found = headersCarryingSecrets(
    [
      ['Content-Type', 'application/json'],
      ['X-Echo', `token=${secret}`],
      ['Set-Cookie', `t=${encodeURIComponent(secret)}; HttpOnly`],
      ['WWW-Authenticate', `Bearer realm="api", token="${Buffer.from(`x${secret}`).toString('base64')}"`],
    ],
    [secret],
  );
  assert.deepEqual(found, [
    { name: 'x-echo', encodings: ['as is'] },
    { name: 'set-cookie', encodings: ['URL-encoded'] },
    { name: 'www-authenticate', encodings: ['base64'] },
  ]);
  const findings = checkNoSecretInHeaders({ label: 'follow-up', response: { headers: {}, allHeaders: [['X-Echo', secret]] } }, [secret]);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.check, 'no_secret_in_headers');
  assert.equal(findings[0]!.severity, 'error');
  assert.match(findings[0]!.message, /the response header x-echo carries a secret/);
  assert.equal(findings[0]!.exchange, 'follow-up');
  assert.ok(!JSON.stringify(findings).includes(secret));
});

test('headers without held secrets, or no held secrets at all, pass', () => {
  const headers: [string, string][] = [['content-type', 'application/json'], ['x-request-id', randomBytes(16).toString('hex')], ['date', new Date().toUTCString()]];
  assert.deepEqual(checkNoSecretInHeaders({ label: 'r', response: { headers: {}, allHeaders: headers } }, [SECRET]), []);
  assert.deepEqual(checkNoSecretInHeaders({ label: 'r', response: { headers: { 'x-echo': SECRET } } }, []), []);
  assert.deepEqual(checkNoSecretInHeaders({ label: 'r' }, [SECRET]), []);
  // Without the full header list the kept ones are searched.
  assert.equal(checkNoSecretInHeaders({ label: 'r', response: { headers: { location: `/x?t=${SECRET}` } } }, [SECRET]).length, 1);
});

test('declaredCharset reads the parameter, quoted or not, in any case', () => {
  assert.equal(declaredCharset('application/json'), undefined);
  assert.equal(declaredCharset(undefined), undefined);
  assert.equal(declaredCharset('application/json; charset=UTF-8'), 'utf-8');
  assert.equal(declaredCharset('application/json;Charset="ISO-8859-1"'), 'iso-8859-1');
  assert.equal(declaredCharset('application/json; q=1; charset = windows-1252'), 'windows-1252');
});

test('firstInvalidUtf8Offset finds the first byte of a bad sequence; valid UTF-8 passes', () => {
  assert.equal(firstInvalidUtf8Offset(Buffer.from('{"d": "Zürich – 東京 😀"}', 'utf8')), undefined);
  assert.equal(firstInvalidUtf8Offset(Buffer.from('{"d": "Réessayez"}', 'latin1')), 8);
  assert.equal(firstInvalidUtf8Offset(Buffer.from([0x61, 0xc0, 0x80])), 1); // overlong
  assert.equal(firstInvalidUtf8Offset(Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80])), 2); // surrogate
  assert.equal(firstInvalidUtf8Offset(Buffer.from([0xf4, 0x90, 0x80, 0x80])), 0); // above U+10FFFF
  assert.equal(firstInvalidUtf8Offset(Buffer.from([0x61, 0xe2, 0x82])), 1); // truncated
  assert.equal(firstInvalidUtf8Offset(Buffer.from([0x80])), 0);
  assert.equal(firstInvalidUtf8Offset(Buffer.alloc(0)), undefined);
});

test('checkUtf8 fails the content-type check naming the charset or the offset, and passes UTF-8 with or without charset', () => {
  const x = (contentType: string, bytes: Buffer) => ({ label: 'the scenario\'s request', response: { headers: { 'content-type': contentType }, bytes } });
  const ok = Buffer.from('{"code":"x","description":"Zürich","detail":{}}', 'utf8');
  assert.deepEqual(checkUtf8(x('application/json', ok)), []);
  assert.deepEqual(checkUtf8(x('application/json; charset=utf-8', ok)), []);
  assert.deepEqual(checkUtf8(x('application/json; charset=utf8', ok)), []);
  const latin1 = Buffer.from('{"code":"x","description":"Réessayez","detail":{}}', 'latin1');
  const findings = checkUtf8(x('application/json; charset=ISO-8859-1', latin1));
  assert.deepEqual(findings.map((f) => f.check), ['content_type', 'content_type']);
  assert.match(findings[0]!.message, /declares charset "iso-8859-1"/);
  assert.equal(findings[0]!.actual, 'iso-8859-1');
  assert.match(findings[1]!.message, /first invalid byte is at offset 28 \(0xE9\)/);
  // A declared other charset fails even when the bytes happen to be ASCII.
  assert.equal(checkUtf8(x('application/json; charset=us-ascii', Buffer.from('{}'))).length, 1);
});

test('strong secrets of the usual forms pass: base64url 32 bytes, 40 hex digits, uuid-free 32 hex, prefixed', () => {
  for (let i = 0; i < 50; i++) {
    const prev = randomBytes(32).toString('base64url');
    assert.deepEqual(assessSecret(randomBytes(32).toString('base64url'), prev).problems, []);
    assert.deepEqual(assessSecret(randomBytes(20).toString('hex'), randomBytes(20).toString('hex')).problems, []);
    assert.deepEqual(assessSecret(randomBytes(16).toString('hex')).problems, []);
    assert.deepEqual(assessSecret(`kat_live_${randomBytes(24).toString('base64url')}`, `kat_live_${randomBytes(24).toString('base64url')}`).problems, []);
  }
});

test('short, small-alphabet, repetitive and sequential secrets are weak, with their figures', () => {
  const short = assessSecret('sk_0000000042', 'sk_0000000041');
  assert.equal(short.characters, 13);
  assert.equal(short.counterStep, 1n);
  assert.equal(short.sharedPrefix, 12);
  assert.ok(short.problems.some((p) => /13 characters, fewer than 16/.test(p)));
  assert.ok(short.problems.some((p) => /estimated 6 bits/.test(p)), short.problems.join('\n'));
  assert.ok(short.problems.some((p) => /first 12 of 13 characters are those of the previous secret/.test(p)));
  assert.ok(short.problems.some((p) => /counter step of \+1/.test(p)));
  // A counter that carries across digits, and a hex counter.
  assert.equal(assessSecret('tok-000100-abcdefghijklmnopqrstuv', 'tok-000099-abcdefghijklmnopqrstuv').counterStep, 1n);
  assert.equal(assessSecret('deadbeef00000010', 'deadbeef0000000f').counterStep, 1n);
  // Decimal digits only: 30 digits are ~99 bits.
  assert.match(assessSecret('123456789012345678901234567890').problems.join(), /estimated 99 bits .*decimal digits/);
  // Long but repetitive.
  assert.match(assessSecret('ab'.repeat(40)).problems.join(), /only 2 distinct characters/);
  // Random secrets differ everywhere: no counter even when both are numbers.
  assert.equal(assessSecret('93847561029384756102938475610293847561', '12093487561203948756120394875612039487').counterStep, undefined);
});

test('checkSecretStrength warns by default and fails with mode fail, never carrying the secret', () => {
  const history = [
    { label: 'the secret before regeneration', secret: 'sk_0000000041' },
    { label: 'regeneration 1', secret: 'sk_0000000042' },
    { label: 'regeneration 2', secret: randomBytes(32).toString('base64url') },
  ];
  const warned = checkSecretStrength(history, 'warn');
  assert.equal(warned.length, 1);
  assert.equal(warned[0]!.severity, 'warning');
  assert.equal(warned[0]!.check, 'secret_strength');
  assert.equal(warned[0]!.exchange, 'regeneration 1');
  assert.match(warned[0]!.message, /issued by "regeneration 1" looks guessable: 13 characters/);
  assert.match(warned[0]!.message, /SECRET_STRENGTH=fail/);
  const dump = JSON.stringify(warned);
  for (const h of history) assert.ok(!dump.includes(h.secret), 'the finding carries no secret');
  const failed = checkSecretStrength(history, 'fail');
  assert.equal(failed[0]!.severity, 'error');
  assert.deepEqual(checkSecretStrength([{ label: 'before', secret: undefined }, { label: 'r', secret: randomBytes(32).toString('base64url') }], 'fail'), []);
});

test('checkResponse runs both on every status: a held credential in a 200 header, Latin-1 in a 403', async () => {
  const { checkResponse } = await import('../../src/checks/response.ts');
  const { SecretRegistry } = await import('../../src/model/redact.ts');
  const OPERATION_ID = (await import('../../src/operations/regenerate-secret/index.ts')).regenerateSecret.id;
  const { loadSchemas } = await import('../../src/operations/run-schemas.ts');
  const secrets = new SecretRegistry();
  secrets.add(SECRET);
  const ctx = { operationId: OPERATION_ID, schemas: loadSchemas(), envelope: 'flat' as const, secrets };
  const token = { id: 'apitok_1', name: 'n', organization_id: 'org_1', authorized_ip_addresses: [], expires_at: null, rate_limit: 600, scopes: ['api_tokens'], secret: 'a-new-secret-0123456789abcdef' };
  const text = JSON.stringify({ api_token: token });
  const ok = checkResponse(
    { label: 'regenerate', method: 'POST', url: 'http://t/x', requestHeaders: {}, durationMs: 1, response: { status: 200, headers: { 'content-type': 'application/json' }, allHeaders: [['content-type', 'application/json'], ['x-previous-secret', encodeURIComponent(SECRET)]], text, json: JSON.parse(text), bytes: Buffer.from(text) } },
    { statuses: [200] },
    ctx,
  );
  assert.deepEqual(ok.findings.filter((f) => f.severity === 'error').map((f) => f.check), ['no_secret_in_headers']);
  assert.match(ok.findings[0]!.message, /the response header x-previous-secret carries a secret/);
  const body = { code: 'invalid_api_token', description: 'Réessayez', detail: {} };
  const latin1 = Buffer.from(JSON.stringify(body), 'latin1');
  const refused = checkResponse(
    { label: 'r', method: 'POST', url: 'http://t/x', requestHeaders: {}, durationMs: 1, response: { status: 403, headers: { 'content-type': 'application/json; charset=iso-8859-1' }, text: latin1.toString('utf8'), json: JSON.parse(latin1.toString('utf8')), bytes: latin1 } },
    { statuses: [403], code: 'invalid_api_token' },
    ctx,
  );
  assert.deepEqual(refused.findings.filter((f) => f.severity === 'error').map((f) => f.check), ['content_type', 'content_type']);
});
