/**
 * A Deflated Explicit VR LE C-STORE (storescu -xd) whose data set is longer than the adapter keeps in memory to
 * read its header (256 KiB of compressed bytes): its header is read from a prefix of the compressed bytes, inflated
 * as far as it goes, so the instance is filed under its own study and series, indexed, and its EVT_C_STORE carries
 * its Study Instance UID, as for any other transfer syntax.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import { type ArchiveServer, startArchiveServer } from '../support/archive.js';
import { uid, writeInstance } from '../support/instances.js';
import { waitFor } from '../support/server.js';

let dir: string;
let s: ArchiveServer;
before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-deflated-'));
  s = await startArchiveServer();
});
after(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a Deflated C-STORE of 600 KB: filed under its study and series, indexed, and its event names its study', async () => {
  const plain = path.join(dir, 'plain.dcm');
  const deflated = path.join(dir, 'deflated.dcm');
  const studyUid = uid();
  const seriesUid = uid();
  const { sopInstanceUid } = writeInstance(plain, { studyUid, seriesUid, pixelBytes: 600_000 });
  const conv = await runDcmtk('dcmconv', ['+td', plain, deflated]);
  assert.equal(conv.code, 0, conv.stderr);
  const r = await runDcmtk('storescu', ['-xd', '-aec', 'DICOMTRAIL', '127.0.0.1', String(s.port), deflated]);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(
    () =>
      s.sink.events.some(
        (e) => e.type === 'EVT_C_STORE' && e.params['affected_sop_instance_uid'] === sopInstanceUid,
      ),
    10_000,
    'EVT_C_STORE',
  );
  const store = s.sink.events.find(
    (e) => e.type === 'EVT_C_STORE' && e.params['affected_sop_instance_uid'] === sopInstanceUid,
  )!;
  assert.equal(
    (store.params['context'] as { transfer_syntax: string }).transfer_syntax,
    '1.2.840.10008.1.2.1.99',
  );
  assert.equal(store.params['status'], 0);
  const header = JSON.parse(JSON.stringify(store.params['dataset'] ?? {})) as Record<
    string,
    { Value?: unknown[] }
  >;
  assert.deepEqual(header['0020000D']?.Value, [studyUid], 'the event names the study');
  const files = (readdirSync(s.storeDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.dcm'));
  assert.ok(
    files.some((f) => f.includes(studyUid) && f.includes(seriesUid) && f.endsWith(`${sopInstanceUid}.dcm`)),
    `filed under its study and series: ${files.join(', ')}`,
  );
  assert.equal(s.archive.index.index.has(sopInstanceUid), true, 'indexed');
});
