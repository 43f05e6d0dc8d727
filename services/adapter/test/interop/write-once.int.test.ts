/**
 * storescu → the archive, small instances written once under their final name (service-classes/write-once.ts):
 * stored byte-exact and 0600 with no temporary file; the same SOP Instance UID again with the same bytes is a
 * success kept once, with other bytes 0x0111 with the original untouched (in the same series: the O_EXCL
 * create; in another study: the archive's index); a bound EVT_C_STORE handler that does not file held
 * instances gets a temporary file as before. After each, no bytes are left held in memory.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import { heldBytes } from '../../src/association/held-instances.js';
import type { ServiceRequest } from '../../src/service-classes/service-request.js';
import { type ArchiveServer, startArchiveServer } from '../support/archive.js';
import { uid, writeInstance } from '../support/instances.js';
import { startTestServer, type TestServer, waitFor } from '../support/server.js';
import { datasetDigest, finalFiles, temporaryFiles } from '../support/store-files.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-write-once-'));
let s: ArchiveServer | undefined;
after(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
async function store(port: number, spec: Parameters<typeof writeInstance>[1]): Promise<string> {
  const file = path.join(dir, `f${++files}.dcm`);
  writeInstance(file, spec);
  const r = await runDcmtk('storescu', ['-v', '-aec', 'DICOMTRAIL', '127.0.0.1', String(port), file]);
  return r.stdout + r.stderr;
}

function statusOf(server: TestServer, sop: string): unknown[] {
  return server.sink.events
    .filter((e) => e.type === 'EVT_C_STORE' && e.params['affected_sop_instance_uid'] === sop)
    .map((e) => e.params['status']);
}

test('small instances: filed byte-exact and 0600, no temporary file; duplicates kept once or refused (0x0111)', async () => {
  s = await startArchiveServer();
  const study = uid();
  const series = uid();
  const sops = [uid(), uid(), uid()];
  for (const sop of sops)
    await store(s.port, { sopInstanceUid: sop, studyUid: study, seriesUid: series, pixelBytes: 5000 });
  await waitFor(() => sops.every((sop) => statusOf(s!, sop).length === 1), 5000, 'three EVT_C_STORE');
  assert.deepEqual(
    sops.map((sop) => statusOf(s!, sop)[0]),
    [0, 0, 0],
  );
  const filed = finalFiles(s.storeDir);
  assert.equal(filed.length, 3);
  for (const f of filed) {
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.equal(path.dirname(f), path.join(s.storeDir, study, series));
  }
  for (const [i, sop] of sops.entries())
    assert.equal(
      datasetDigest(path.join(s.storeDir, study, series, `${sop}.dcm`)),
      datasetDigest(path.join(dir, `f${i + 1}.dcm`)),
      'the data set as sent',
    );
  assert.deepEqual(temporaryFiles(s.storeDir), []);
  const original = path.join(s.storeDir, study, series, `${sops[0]}.dcm`);
  const digest = datasetDigest(original);

  // Other bytes under the first SOP Instance UID, same series (the create finds the file) and another study
  // (the index finds it): refused, the original untouched.
  const out1 = await store(s.port, {
    sopInstanceUid: sops[0]!,
    studyUid: study,
    seriesUid: series,
    pixelBytes: 7000,
  });
  assert.match(out1, /Received Store Response \(Unknown Status: 0x111\)/);
  const out2 = await store(s.port, {
    sopInstanceUid: sops[0]!,
    studyUid: uid(),
    seriesUid: uid(),
    pixelBytes: 7000,
  });
  assert.match(out2, /Received Store Response \(Unknown Status: 0x111\)/);
  await waitFor(() => statusOf(s!, sops[0]!).length === 3, 5000, 'the two refusals recorded');
  assert.deepEqual(statusOf(s!, sops[0]!), [0, 0x0111, 0x0111]);
  assert.equal(datasetDigest(original), digest, 'the original is untouched');
  assert.equal(finalFiles(s.storeDir).length, 3, 'nothing filed beside it');
  assert.equal(heldBytes(), 0, 'no bytes left held');
});

test('the same data set again (same bytes) is a success and stays one file', async () => {
  const study = uid();
  const series = uid();
  const sop = uid();
  const file = path.join(dir, 'same.dcm');
  writeInstance(file, { sopInstanceUid: sop, studyUid: study, seriesUid: series, pixelBytes: 3000 });
  for (let i = 0; i < 2; i++) {
    const r = await runDcmtk('storescu', ['-v', '-aec', 'DICOMTRAIL', '127.0.0.1', String(s!.port), file]);
    assert.match(r.stdout + r.stderr, /Received Store Response \(Success\)/);
  }
  await waitFor(() => statusOf(s!, sop).length === 2, 5000, 'two EVT_C_STORE');
  assert.deepEqual(statusOf(s!, sop), [0, 0]);
  assert.equal(finalFiles(path.join(s!.storeDir, study)).length, 1);
  assert.equal(heldBytes(), 0);
});

test('a bound EVT_C_STORE handler that does not file held instances gets the instance in a temporary file', async () => {
  const t = await startTestServer();
  try {
    const seen: Array<{ exists: boolean; held: boolean }> = [];
    t.server.handlers.handle('EVT_C_STORE', ((req: ServiceRequest) => {
      seen.push({ exists: existsSync(req.stored!.tempPath), held: req.stored!.held !== undefined });
      return 0x0000;
    }) as never);
    const out = await store(t.port, { pixelBytes: 2000 });
    assert.match(out, /Received Store Response \(Success\)/);
    assert.deepEqual(seen, [{ exists: true, held: false }]);
    await waitFor(() => temporaryFiles(t.storeDir).length === 0, 5000, 'the temporary file removed');
    assert.equal(heldBytes(), 0);
  } finally {
    await t.close();
  }
});
