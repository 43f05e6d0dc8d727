/**
 * dcmtk's getscu against our C-GET SCP: the bound EVT_C_GET handler yields the count then two
 * instances (a Part 10 file and a DICOM JSON data set); our SCP sends them as C-STORE-RQs on the same
 * association (getscu accepted the SCP role), getscu writes them to its output directory, and
 * EVT_C_GET carries the sub-operation counts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import { datasetToDicomJson } from '../../src/dataset/dicom-json.js';
import { readPart10 } from '../../src/dataset/part10.js';
import { STUDY_ROOT_GET } from '../../src/dataset/uids.js';
import type { QueryRequest } from '../../src/service-classes/query-retrieve.js';
import { makeInstance, uid, writeInstance } from '../support/instances.js';
import { dimseSent, endedAssociation, startQrServer } from '../support/qr.js';
import { assertValidAndGapFree, type TestServer } from '../support/server.js';

let s: TestServer;
let dir: string;
before(async () => {
  s = await startQrServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-get-'));
});
after(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const getArgs = (port: number, study: string, od: string) => [
  '-S',
  '-aet',
  'GETTER',
  '-aec',
  'DICOMTRAIL',
  '-k',
  'QueryRetrieveLevel=STUDY',
  '-k',
  `StudyInstanceUID=${study}`,
  '-od',
  od,
  '127.0.0.1',
  String(port),
];

test('getscu: two instances arrive in the output directory; C-STORE sub-operations on the same association; counts in EVT_C_GET', async () => {
  const study = uid();
  const file = path.join(dir, 'one.dcm');
  const one = writeInstance(file, { studyUid: study, patientId: 'GET-1' });
  // The second instance as DICOM JSON (its header; pixel data inline).
  const second = makeInstance({ studyUid: study, patientId: 'GET-2', pixelBytes: 64 });
  const p10 = readPart10(second.bytes);
  const json = datasetToDicomJson(p10.datasetBytes, {
    transferSyntaxUid: p10.transferSyntaxUid,
    bulkDataThreshold: Number.MAX_SAFE_INTEGER,
  });
  let seenStudy: unknown;
  s.server.handlers.handle('EVT_C_GET', ((req: QueryRequest) => {
    seenStudy = req.identifier['0020000D']?.Value?.[0];
    return (function* () {
      yield 2;
      yield [0xff00, file] as const;
      yield [0xff00, json] as const;
    })();
  }) as never);
  const known = new Set(s.sink.associationIds());
  const od = path.join(dir, 'out');
  mkdirSync(od);
  const r = await runDcmtk('getscu', getArgs(s.port, study, od));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(seenStudy, study);
  const received = readdirSync(od).sort();
  assert.equal(received.length, 2, `files in ${od}: ${received.join(', ')}`);
  const uids = received.map((f) => {
    const got = readPart10(readFileSync(path.join(od, f)));
    return String(got.fileMeta['00020003']?.Value?.[0]);
  });
  assert.deepEqual(uids.sort(), [one.sopInstanceUid, second.sopInstanceUid].sort());
  // The file went byte-exact.
  const fromFile =
    received.find((f) => f.includes(one.sopInstanceUid)) ?? received[uids.indexOf(one.sopInstanceUid)]!;
  assert.ok(
    readPart10(readFileSync(path.join(od, fromFile))).datasetBytes.equals(
      readPart10(readFileSync(file)).datasetBytes,
    ),
  );

  const events = await endedAssociation(s, known);
  assert.deepEqual(dimseSent(events), [
    'C-STORE-RQ',
    'C-GET-RSP FF00',
    'C-STORE-RQ',
    'C-GET-RSP FF00',
    'C-GET-RSP 0000',
  ]);
  const storeRsps = events.filter(
    (e) =>
      e.type === 'EVT_DIMSE_RECV' &&
      (e.params['message'] as { message_type: string }).message_type === 'C-STORE-RSP',
  );
  assert.equal(storeRsps.length, 2);
  const pendings = events
    .filter(
      (e) =>
        e.type === 'EVT_DIMSE_SENT' &&
        (e.params['message'] as { message_type: string }).message_type === 'C-GET-RSP',
    )
    .map((e) => (e.params['message'] as { command: Record<string, number> }).command);
  assert.equal(pendings[0]!['number_of_remaining_suboperations'], 1);
  assert.equal(pendings[0]!['number_of_completed_suboperations'], 1);
  assert.equal(pendings[1]!['number_of_remaining_suboperations'], 0);
  assert.equal(pendings[2]!['number_of_completed_suboperations'], 2);
  const get = events.filter((e) => e.type === 'EVT_C_GET');
  assert.equal(get.length, 1);
  const p = get[0]!.params;
  assert.equal(p['affected_sop_class_uid'], STUDY_ROOT_GET);
  assert.equal(p['status'], 0);
  assert.equal(p['number_of_completed_suboperations'], 2);
  assert.equal(p['number_of_failed_suboperations'], 0);
  assert.equal(p['number_of_warning_suboperations'], 0);
  assert.equal(p['responses'], 3);
  assert.equal(p['cancelled'], false);
  assertValidAndGapFree(events);
});

test('getscu: an instance of a SOP class getscu did not offer fails; final 0xB000 with the Failed SOP Instance UID List', async () => {
  const study = uid();
  const good = path.join(dir, 'good.dcm');
  writeInstance(good, { studyUid: study });
  const bad = path.join(dir, 'bad.dcm');
  // A private SOP class: getscu proposes no storage context for it.
  const badInst = writeInstance(bad, { studyUid: study, sopClassUid: '1.2.826.0.1.3680043.10.1386.99.1' });
  s.server.handlers.handle('EVT_C_GET', (() =>
    (function* () {
      yield 2;
      yield [0xff00, good] as const;
      yield [0xff00, bad] as const;
    })()) as never);
  const known = new Set(s.sink.associationIds());
  const od = path.join(dir, 'out2');
  mkdirSync(od);
  const r = await runDcmtk('getscu', getArgs(s.port, study, od));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readdirSync(od).length, 1);
  const events = await endedAssociation(s, known);
  assert.deepEqual(dimseSent(events), ['C-STORE-RQ', 'C-GET-RSP FF00', 'C-GET-RSP FF00', 'C-GET-RSP B000']);
  const p = events.find((e) => e.type === 'EVT_C_GET')!.params;
  assert.equal(p['status'], 0xb000);
  assert.equal(p['status_category'], 'warning');
  assert.equal(p['number_of_completed_suboperations'], 1);
  assert.equal(p['number_of_failed_suboperations'], 1);
  assert.deepEqual(p['failed_sop_instance_uids'], [badInst.sopInstanceUid]);
  const final = events.filter((e) => e.type === 'EVT_DIMSE_SENT').at(-1)!.params['message'] as {
    identifier: Record<string, { Value: string[] }>;
  };
  assert.deepEqual(final.identifier['00080058']?.Value, [badInst.sopInstanceUid]);
  assertValidAndGapFree(events);
});
