import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { test } from 'node:test';
import { errorFields } from './log-fields.js';

test('issue 16: a file error is logged by code and system call, not by its message (which names the file)', () => {
  const uid = '1.2.826.0.1.3680043.10.1386.99.1';
  let err: unknown;
  try {
    renameSync(`/nonexistent/${uid}/${uid}.dcm`, `/nonexistent/${uid}.dcm`);
  } catch (e) {
    err = e;
  }
  assert.match(String((err as Error).message), new RegExp(uid.replace(/\./g, '\\.')));
  const fields = errorFields(err);
  assert.deepEqual(fields, { error: 'ENOENT', syscall: 'rename' });
  assert.equal(JSON.stringify(fields).includes(uid), false);
  assert.deepEqual(errorFields(new TypeError('x')), { error: 'TypeError' });
  assert.deepEqual(errorFields(undefined), { error: 'Error' });
});
