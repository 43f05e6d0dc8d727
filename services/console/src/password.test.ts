import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, verifyPassword } from './password.js';

test('given a hashed password, when verified, then only the same password matches', async () => {
  const stored = await hashPassword('correct horse battery staple');
  assert.match(stored, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await verifyPassword('correct horse battery staple', stored), true);
  assert.equal(await verifyPassword('correct horse battery stapler', stored), false);
  assert.equal(await verifyPassword('', stored), false);
});

test('two hashes of one password differ (random salt); a malformed stored hash never matches', async () => {
  assert.notEqual(await hashPassword('pw'), await hashPassword('pw'));
  assert.equal(await verifyPassword('pw', 'plain:pw'), false);
  assert.equal(await verifyPassword('pw', 'scrypt$1$2$3$x'), false);
});
