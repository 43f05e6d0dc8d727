import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { IndexJournal } from './index-journal.js';

test('a journal whose folder vanished before the first append makes it again and keeps the record', () => {
  const store = mkdtempSync(path.join(os.tmpdir(), 'dt-journal-'));
  try {
    const indexDir = path.join(store, '.archive');
    // The folder is absent, as after someone emptied the store while the adapter ran.
    const journal = new IndexJournal(path.join(indexDir, 'instances.jsonl'), store);
    journal.append({
      path: path.join(store, '1.2', '1.3', '1.4.dcm'),
      transferSyntax: '1.2.840.10008.1.2.1',
      attributes: { '00080018': { vr: 'UI', Value: ['1.4'] } },
    });
    journal.close();
    assert.equal(statSync(indexDir).mode & 0o777, 0o700);
    const read = journal.read();
    assert.equal(read.lines, 1);
    assert.equal(read.records[0]?.path, path.join(store, '1.2', '1.3', '1.4.dcm'));
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

const record = (store: string, sop: string) => ({
  path: path.join(store, '1.2', '1.3', `${sop}.dcm`),
  transferSyntax: '1.2.840.10008.1.2.1',
  attributes: { '00080018': { vr: 'UI', Value: [sop] } },
});

test('appended lines wait and are written together: after the delay, at the byte threshold, at flush and close', async () => {
  const store = mkdtempSync(path.join(os.tmpdir(), 'dt-journal-'));
  try {
    const file = path.join(store, '.archive', 'instances.jsonl');
    const journal = new IndexJournal(file, store, { flushDelayMs: 50 });
    for (const sop of ['1.1', '1.2', '1.3']) journal.append(record(store, sop));
    assert.equal(statSync(file).size, 0, 'nothing written yet');
    assert.equal(journal.pending, 3);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(journal.pending, 0);
    assert.equal(journal.read().lines, 3, 'written after the delay');

    journal.append(record(store, '1.4'));
    journal.flush();
    assert.equal(journal.read().lines, 4, 'written by flush');
    journal.append(record(store, '1.5'));
    journal.close();
    assert.equal(journal.read().lines, 5, 'written by close');

    const small = new IndexJournal(file, store, { flushDelayMs: 60_000, flushBytes: 150 });
    small.append(record(store, '2.1'));
    assert.equal(small.pending, 1);
    small.append(record(store, '2.2'));
    assert.equal(small.pending, 0, 'the byte threshold wrote both');
    assert.equal(small.read().lines, 7);
    small.close();

    const direct = new IndexJournal(file, store, { flushDelayMs: 0 });
    direct.append(record(store, '3.1'));
    assert.equal(direct.read().lines, 8, 'a delay of 0 writes each line at once');
    direct.close();
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
