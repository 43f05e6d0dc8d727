/**
 * dcmtk's storescu against our SCP: many files in three transfer syntaxes, a private tag, one instance
 * over 50 MB; the status dcmtk saw, the files on disk (data set bytes identical to what was sent), and
 * the events (one EVT_C_STORE per instance with its decoded header and where it was stored).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import { readPart10 } from '../../src/dataset/part10.js';
import { EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, writeInstance } from '../support/instances.js';
import { assertValidAndGapFree, startTestServer, type TestServer, waitFor } from '../support/server.js';

let s: TestServer;
let dir: string;
before(async () => {
  s = await startTestServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-send-'));
});
after(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function associationsDone(count: number): Promise<string[]> {
  await waitFor(
    () =>
      s.sink
        .associationIds()
        .filter((id) => s.sink.of(id).some((e) => e.type === 'EVT_RELEASED' || e.type === 'EVT_ABORTED'))
        .length >= count,
    20_000,
    'associations to end',
  );
  return s.sink.associationIds();
}

test('storescu sends 30 instances in three transfer syntaxes, one with private tags: all stored byte-exact, all evented', async () => {
  const sub = path.join(dir, 'many');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(sub);
  const sent = new Map<string, { file: string; ts: string }>();
  const syntaxes = [EXPLICIT_LE, IMPLICIT_LE, EXPLICIT_BE];
  for (let i = 0; i < 30; i++) {
    const ts = syntaxes[i % 3]!;
    const file = path.join(sub, `img${i}.dcm`);
    const { sopInstanceUid } = writeInstance(file, {
      transferSyntax: ts,
      patientId: `PID-${i % 4}`,
      pixelBytes: 8192,
      privateTag: i === 7,
    });
    sent.set(sopInstanceUid, { file, ts });
  }
  // One storescu run per transfer syntax, each proposing only that syntax (-xe / -xi / -xb), so each file
  // travels in its own encoding; +sd scans the directory.
  const flag: Record<string, string> = { [EXPLICIT_LE]: '-xe', [IMPLICIT_LE]: '-xi', [EXPLICIT_BE]: '-xb' };
  const { mkdirSync: mk, renameSync } = await import('node:fs');
  for (const ts of syntaxes) {
    const tsDir = path.join(sub, flag[ts]!.slice(1));
    mk(tsDir);
    for (const [, v] of sent)
      if (v.ts === ts && path.dirname(v.file) === sub) {
        const to = path.join(tsDir, path.basename(v.file));
        renameSync(v.file, to);
        v.file = to;
      }
    const r = await runDcmtk(
      'storescu',
      ['-aet', 'MODALITY1', '-aec', 'DICOMTRAIL', flag[ts]!, '+sd', '127.0.0.1', String(s.port), tsDir],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
  }
  const ids = await associationsDone(3);
  const events = ids.flatMap((id) => s.sink.of(id));
  const stores = events.filter((e) => e.type === 'EVT_C_STORE');
  assert.equal(stores.length, 30);
  // Per PDU: length always; sha256 for association PDUs, not for P-DATA-TF (its data sets are hashed whole).
  const data = events.filter((e) => e.type === 'EVT_DATA_RECV' || e.type === 'EVT_DATA_SENT');
  assert.ok(data.some((e) => e.params['pdu_type'] === 'P-DATA-TF'));
  for (const e of data) {
    assert.ok(Number(e.params['length']) > 0);
    assert.equal(
      e.params['sha256'] === undefined,
      e.params['pdu_type'] === 'P-DATA-TF',
      JSON.stringify(e.params),
    );
  }
  for (const e of stores) {
    assert.equal(e.params['status'], 0);
    const uid = e.params['affected_sop_instance_uid'] as string;
    const src = sent.get(uid);
    assert.ok(src, `stored an instance we sent: ${uid}`);
    const stored = e.params['stored'] as { path: string; bytes: number; sha256: string };
    const onDisk = readPart10(readFileSync(stored.path));
    const original = readPart10(readFileSync(src.file));
    assert.equal(onDisk.transferSyntaxUid, src.ts);
    assert.equal(
      sha(onDisk.datasetBytes),
      sha(original.datasetBytes),
      `data set of ${uid} stored byte for byte`,
    );
    assert.equal(stored.sha256, sha(original.datasetBytes));
    const ds = e.params['dataset'] as Record<string, { Value?: unknown[]; BulkData?: { length: number } }>;
    assert.match(String(ds['00100020']?.Value?.[0]), /^PID-\d$/);
    // Filed as <store>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm.
    const parts = stored.path.split('/').slice(-3);
    assert.deepEqual(parts, [
      String(ds['0020000D']?.Value?.[0]),
      String(ds['0020000E']?.Value?.[0]),
      `${uid}.dcm`,
    ]);
    assert.equal(ds['7FE00010']?.BulkData?.length, 8192, 'pixel data elided to its length');
  }
  const withPrivate = stores.find(
    (e) => (e.params['dataset'] as Record<string, unknown>)['00091001'] !== undefined,
  );
  assert.ok(withPrivate, 'the private element is in the event');
  const ctxs = new Set(
    stores.map((e) => (e.params['context'] as { transfer_syntax: string }).transfer_syntax),
  );
  assert.deepEqual([...ctxs].sort(), [...syntaxes].sort());
  assertValidAndGapFree(events);
});

test('storescu sends one instance over 50 MB: stored byte-exact, streamed to disk', async () => {
  const file = path.join(dir, 'big.dcm');
  const { sopInstanceUid } = writeInstance(file, {
    transferSyntax: EXPLICIT_LE,
    pixelBytes: 52 * 1024 * 1024,
  });
  const known = new Set(s.sink.associationIds());
  const r = await runDcmtk('storescu', ['-aec', 'DICOMTRAIL', '127.0.0.1', String(s.port), file], {
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  await waitFor(
    () =>
      s.sink
        .associationIds()
        .some((id) => !known.has(id) && s.sink.of(id).some((e) => e.type === 'EVT_RELEASED')),
    30_000,
    'release',
  );
  const id = s.sink.associationIds().find((x) => !known.has(x))!;
  const store = s.sink.of(id).find((e) => e.type === 'EVT_C_STORE')!;
  assert.equal(store.params['affected_sop_instance_uid'], sopInstanceUid);
  assert.equal(store.params['status'], 0);
  const stored = store.params['stored'] as { path: string };
  assert.equal(
    sha(readPart10(readFileSync(stored.path)).datasetBytes),
    sha(readPart10(readFileSync(file)).datasetBytes),
  );
  assertValidAndGapFree(s.sink.of(id));
});

test('a store directory that cannot be written: storescu sees A700 (out of resources), the server keeps serving', async () => {
  // A regular file where the store directory should be: every write fails (ENOTDIR), even as root.
  const notADir = path.join(dir, 'not-a-directory');
  (await import('node:fs')).writeFileSync(notADir, 'x');
  const bad = await startTestServer({ storeDir: notADir });
  try {
    const file = path.join(dir, 'nowhere.dcm');
    writeInstance(file, {});
    const r = await runDcmtk('storescu', ['-v', '-aec', 'DICOMTRAIL', '127.0.0.1', String(bad.port), file]);
    assert.match(r.stdout + r.stderr, /Received Store Response \(Refused: OutOfResources\)/);
    await waitFor(() => bad.sink.events.some((e) => e.type === 'EVT_C_STORE'), 5000, 'C-STORE event');
    const store = bad.sink.events.find((e) => e.type === 'EVT_C_STORE')!;
    assert.equal(store.params['status'], 0xa700);
    assert.equal(store.params['status_category'], 'failure');
    const echo = await runDcmtk('echoscu', ['-aec', 'DICOMTRAIL', '127.0.0.1', String(bad.port)]);
    assert.equal(echo.code, 0, 'still serving');
  } finally {
    await bad.close();
  }
});
