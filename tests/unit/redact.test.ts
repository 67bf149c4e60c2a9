import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MASK, SecretRegistry } from '../../src/model/redact.ts';

test('registered secrets are masked wherever they occur, longest first', () => {
  const s = new SecretRegistry();
  s.add('abcd1234');
  s.add('abcd1234-longer');
  assert.equal(s.redactText('x abcd1234-longer y abcd1234 z'), `x ${MASK} y ${MASK} z`);
});

test('Authorization values are masked by header name and by scheme', () => {
  const s = new SecretRegistry();
  const out = s.redact({ headers: { Authorization: 'Bearer unknown-value-1', other: 'see Basic dXNlcjpwYXNz here' } });
  assert.equal(out.headers.Authorization, MASK);
  assert.equal(out.headers.other, `see Basic ${MASK} here`);
});

test('fields named secret or bearer are masked even before the secret is registered, empty ones kept', () => {
  const s = new SecretRegistry();
  const out = s.redact({ api_token: { id: 'tok_1', secret: 'brand-new-secret' }, bearer: 'b-123456', empty: { secret: '' } });
  assert.equal(out.api_token.secret, MASK);
  assert.equal(out.api_token.id, 'tok_1');
  assert.equal(out.bearer, MASK);
  assert.equal(out.empty.secret, '');
});

test('regex metacharacters in secrets are matched literally', () => {
  const s = new SecretRegistry();
  s.add('a+b*c?(d)');
  assert.equal(s.redactText('xa+b*c?(d)x aabbc'), `x${MASK}x aabbc`);
  assert.deepEqual(s.findIn('nothing here'), []);
  assert.deepEqual(s.findIn('... a+b*c?(d) ...'), ['a+b*c?(d)']);
});

test('very short values are not treated as secrets', () => {
  const s = new SecretRegistry();
  s.add('ab');
  s.add('');
  s.add(undefined);
  assert.equal(s.redactText('ab ab'), 'ab ab');
  assert.equal(s.all().length, 0);
});

test('mask-only values shorter than 8 characters are not masked (a state header like "invalid" stays readable)', () => {
  const s = new SecretRegistry();
  s.add('invalid', 'mask-only');
  s.add('x-cap-0123456789', 'mask-only');
  assert.equal(s.redactText('invalid_capabilities_token x-cap-0123456789'), `invalid_capabilities_token ${MASK}`);
  assert.deepEqual(s.findIn('x-cap-0123456789'), [], 'mask-only values are never judged as leaked credentials');
});
