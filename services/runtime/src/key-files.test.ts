import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { checkKeyFile, KeyFileError, readPublicFile, readSecretFile } from './key-files.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-key-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string, mode: number): string {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  chmodSync(f, mode);
  return f;
}

test('given a key file 0600 or 0400, when checked, then it is read (a secret without its final line break)', () => {
  assert.equal(readSecretFile(file('a', 's3cret\n', 0o600), 'X_FILE'), 's3cret');
  assert.equal(readSecretFile(file('b', 'line\r\n', 0o400), 'X_FILE'), 'line');
  assert.doesNotThrow(() => checkKeyFile(file('c', 'k', 0o700), 'X'));
});

test('given a key file with any group or other bit, when checked, then refused naming variable, file and mode, not contents', () => {
  for (const mode of [0o640, 0o604, 0o644, 0o660, 0o666]) {
    const f = file(`loose-${mode.toString(8)}`, 'TOPSECRET', mode);
    assert.throws(
      () => readSecretFile(f, 'KAFKA_SASL_PASSWORD_FILE'),
      (e: unknown) =>
        e instanceof KeyFileError &&
        e.code === 'DT_ERR_KEY_FILE_MODE' &&
        e.message.startsWith(`KAFKA_SASL_PASSWORD_FILE: ${f} has mode 0${mode.toString(8)}`) &&
        !e.message.includes('TOPSECRET'),
    );
  }
});

test('given a missing path or a directory, when checked, then refused naming the file', () => {
  assert.throws(() => checkKeyFile(path.join(dir, 'nope'), 'K'), /K: cannot read .*nope \(ENOENT\)/);
  assert.throws(() => checkKeyFile(dir, 'K'), /K: .* is not a regular file/);
  assert.throws(() => readPublicFile(path.join(dir, 'nope'), 'CA'), /CA: cannot read .*nope \(ENOENT\)/);
  assert.equal(readPublicFile(file('ca', 'CERT', 0o644), 'CA'), 'CERT');
});
