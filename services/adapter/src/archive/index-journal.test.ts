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
