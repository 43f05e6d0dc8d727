import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { hashPassword } from './password-hash.js';
import { loadUsersFile, parseUsersFile, renderUsersFile, userEntries, writeUsersFile } from './users-file.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

test('parseUsersFile: one user a line, comments and blank lines skipped; a bad line is named by its number', async () => {
  const hash = await hashPassword('pw-alice-1', FAST);
  const users = parseUsersFile(`# users\n\nalice:${hash}\nbob:${hash}\n`);
  assert.deepEqual([...users.keys()], ['alice', 'bob']);
  assert.throws(() => parseUsersFile(`alice:${hash}\nno-colon-here\n`), /line 2: expected name:hash/);
  assert.throws(() => parseUsersFile(`alice:${hash}\nalice:${hash}\n`), /line 2: user alice appears twice/);
  assert.throws(() => parseUsersFile('carol:plaintext\n'), /line 1: not a scrypt/);
  assert.throws(() => parseUsersFile(`a\u0000b:${hash}\n`), /line 1: expected name:hash/);
});

test('users file: written 0600 and read back; a file group or others can read is refused, naming it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dt-users-'));
  try {
    const file = path.join(dir, 'users');
    const hash = await hashPassword('pw-alice-1', FAST);
    writeUsersFile(file, [{ name: 'alice', hash }]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual([...loadUsersFile(file).keys()], ['alice']);
    assert.deepEqual(userEntries(renderUsersFile([{ name: 'alice', hash }])), [{ name: 'alice', hash }]);
    chmodSync(file, 0o640);
    assert.throws(
      () => loadUsersFile(file),
      (err: Error & { code?: string }) =>
        err.code === 'DT_ERR_KEY_FILE_MODE' && err.message.includes(file) && err.message.includes('0640'),
    );
    writeFileSync(path.join(dir, 'other'), '', { mode: 0o604 });
    assert.throws(() => loadUsersFile(path.join(dir, 'other')), /mode 0604/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
