import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, parsePasswordHash, verifyPassword } from './password-hash.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

test('hashPassword/verifyPassword: the right password matches, any other does not; each hash has its own salt', async () => {
  const a = await hashPassword('correct horse', FAST);
  const b = await hashPassword('correct horse', FAST);
  assert.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.notEqual(a, b, 'salted');
  assert.equal(await verifyPassword('correct horse', parsePasswordHash(a)), true);
  assert.equal(await verifyPassword('correct horsf', parsePasswordHash(a)), false);
  assert.equal(await verifyPassword('', parsePasswordHash(a)), false);
});

test('hashPassword: the default parameters are N=2^15, r=8, p=1', async () => {
  assert.match(await hashPassword('x'), /^scrypt\$32768\$8\$1\$/);
});

test('parsePasswordHash: refuses what is not a scrypt hash, with a reason and without echoing it', () => {
  for (const [bad, reason] of [
    ['plain-text-password', /not a scrypt/],
    ['bcrypt$10$abc$def$ghi$jkl', /not a scrypt/],
    ['scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', /power of two/],
    ['scrypt$1024$0$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', /out of range/],
    ['scrypt$1024$8$1$c2E=$aGFzaGhhc2hoYXNoaGFzaA==', /too short/],
  ] as const) {
    assert.throws(
      () => parsePasswordHash(bad),
      (err: Error & { code?: string }) =>
        err.code === 'DT_ERR_PASSWORD_HASH' && reason.test(err.message) && !err.message.includes(bad),
    );
  }
});
