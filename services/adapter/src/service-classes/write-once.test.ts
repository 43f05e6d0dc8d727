import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { filingLogPath, removeUnfinished, UNFINISHED_MODE, writeOnce } from './write-once.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'dt-write-once-'));
after(() => rmSync(root, { recursive: true, force: true }));

let stores = 0;
function store(): string {
  const dir = path.join(root, `store-${++stores}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

test('writes the bytes under the final name, 0600, and names it in the filing log first', () => {
  const dir = store();
  const target = path.join(dir, '1.2', '1.2.3', '1.2.3.4.dcm');
  const bytes = Buffer.from('instance bytes');
  assert.equal(writeOnce(dir, target, bytes), 'written');
  assert.deepEqual(readFileSync(target), bytes);
  assert.equal(statSync(target).mode & 0o777, 0o600);
  assert.equal(statSync(path.dirname(target)).mode & 0o777, 0o700);
  assert.equal(readFileSync(filingLogPath(dir), 'utf8'), `${path.join('1.2', '1.2.3', '1.2.3.4.dcm')}\n`);
  assert.equal(statSync(filingLogPath(dir)).mode & 0o777, 0o600);
});

test('never replaces a file: an existing one is left as it is and reported', () => {
  const dir = store();
  const target = path.join(dir, 'a.dcm');
  writeFileSync(target, 'original', { mode: 0o600 });
  assert.equal(writeOnce(dir, target, Buffer.from('other bytes')), 'exists');
  assert.equal(readFileSync(target, 'utf8'), 'original');
});

test('start-up: a file the log names and left unfinished (mode 0000) is removed; whole ones are kept', () => {
  const dir = store();
  const whole = path.join(dir, 's', 'whole.dcm');
  assert.equal(writeOnce(dir, whole, Buffer.from('whole')), 'written');
  // What a process killed between create and fchmod leaves: mode 0000, short.
  const cut = path.join(dir, 's', 'cut.dcm');
  writeFileSync(cut, 'trunc', { mode: UNFINISHED_MODE });
  appendFileSync(filingLogPath(dir), `${path.relative(dir, cut)}\n`);
  // Mode 0000 but not named in the log (not ours): kept; a name outside the store: ignored.
  const foreign = path.join(dir, 's', 'foreign.dcm');
  writeFileSync(foreign, 'x', { mode: UNFINISHED_MODE });
  const outside = path.join(root, `outside-${stores}.dcm`);
  writeFileSync(outside, 'x', { mode: UNFINISHED_MODE });
  appendFileSync(filingLogPath(dir), `${path.relative(dir, outside)}\nnever-written.dcm\n`);

  assert.equal(removeUnfinished(dir), 1);
  assert.equal(existsSync(cut), false);
  assert.equal(readFileSync(whole, 'utf8'), 'whole');
  assert.equal(existsSync(foreign), true);
  assert.equal(existsSync(outside), true);
  assert.equal(existsSync(filingLogPath(dir)), false, 'the log is emptied');
  // Filing goes on after it, with a new log.
  assert.equal(writeOnce(dir, path.join(dir, 's', 'next.dcm'), Buffer.from('next')), 'written');
  assert.equal(readFileSync(filingLogPath(dir), 'utf8'), `${path.join('s', 'next.dcm')}\n`);
});

test('the log is emptied once it passes its limit, at a filing (every earlier one finished)', () => {
  const dir = store();
  let largest = 0;
  const series = path.join(dir, '1.2.840.10008.1'.repeat(4), '1.2.840.10008.2'.repeat(4));
  for (let i = 0; i < 600; i++) {
    writeOnce(dir, path.join(series, `${'1.2.840.10008.3'.repeat(4)}.${i}.dcm`), Buffer.from([i & 0xff]));
    largest = Math.max(largest, statSync(filingLogPath(dir)).size);
  }
  assert.ok(largest <= 64 * 1024 + 100, `the log grew to ${largest} bytes`);
  assert.ok(largest > 60 * 1024, 'and it did fill before being emptied');
});

test('a write that fails leaves nothing under the final name', () => {
  const dir = store();
  // A file where the series folder should be: the folder cannot be made.
  writeFileSync(path.join(dir, 'blocked'), 'a file, not a folder');
  assert.throws(() => writeOnce(dir, path.join(dir, 'blocked', 'x.dcm'), Buffer.from('x')), /EEXIST|ENOTDIR/);
  assert.equal(removeUnfinished(dir), 0);
});
