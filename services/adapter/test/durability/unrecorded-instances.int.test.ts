/**
 * Given a store after a crash, when the restart names the C-STOREs that were in flight (the request in the
 * event log, the EVT_C_STORE not), then the instance filed for one is removed from disk and index, and an
 * instance with the same SOP Instance UID filed before that request (an earlier store) is kept.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ArchiveIndex } from '../../src/archive/archive-index.js';
import { removeUnrecorded } from '../../src/archive/unrecorded-instances.js';
import { uid, writeInstance } from '../support/instances.js';
import { testLog } from '../support/server.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-unrecorded-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(sop: string): string {
  const study = uid();
  const series = uid();
  const target = path.join(dir, 'store', study, series, `${sop}.dcm`);
  mkdirSync(path.dirname(target), { recursive: true });
  writeInstance(target, { sopInstanceUid: sop, studyUid: study, seriesUid: series, pixelBytes: 64 });
  return target;
}

test('an instance filed during the crash is removed; one filed before its request is kept', () => {
  const cut = uid();
  const earlier = uid();
  const cutFile = file(cut);
  const earlierFile = file(earlier);
  const { archiveIndex } = ArchiveIndex.open({ storeDir: path.join(dir, 'store'), log: testLog });
  assert.ok(archiveIndex.index.has(cut) && archiveIndex.index.has(earlier), 'both indexed at start-up');
  const removed = removeUnrecorded(
    archiveIndex,
    [
      // Its request came just before it was filed.
      { association_id: 'a', sop_instance_uid: cut, at: new Date(Date.now() - 200).toISOString() },
      // A request for the same UID a minute after the file on disk was made: that file is an earlier store.
      { association_id: 'b', sop_instance_uid: earlier, at: new Date(Date.now() + 60_000).toISOString() },
      // Never filed at all.
      { association_id: 'c', sop_instance_uid: uid(), at: new Date().toISOString() },
    ],
    testLog,
  );
  assert.equal(removed, 1);
  assert.equal(existsSync(cutFile), false, 'removed from disk');
  assert.equal(archiveIndex.index.has(cut), false, 'and from the index');
  assert.equal(existsSync(earlierFile), true);
  assert.equal(archiveIndex.index.has(earlier), true);
  archiveIndex.close();
});
