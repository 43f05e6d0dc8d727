/**
 * The archive against dcmtk: storescu sends eight instances (three patients, four studies, six series),
 * then findscu queries them at every level of both models (single values, wildcards, date and time
 * ranges, UID lists, derived counts), getscu retrieves a series on the same association, and movescu
 * moves a study to a storescp started here (and to an unknown AE: 0xA801). Asserted: the exact matches,
 * the files that arrive, the sub-operation counts and the events.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { qrArgs, runDcmtk } from '@dicomtrail/testing';
import { type DicomJson, datasetToDicomJson } from '../../src/dataset/dicom-json.js';
import { readPart10 } from '../../src/dataset/part10.js';
import { STUDY_ROOT_GET, STUDY_ROOT_MOVE } from '../../src/dataset/uids.js';
import {
  type ArchiveInstanceSpec,
  type ArchiveServer,
  startArchiveServer,
  startStorescp,
  writeArchiveInstance,
} from '../support/archive.js';
import { dimseSent, endedAssociation } from '../support/qr.js';
import { assertValidAndGapFree, type Envelope, waitFor } from '../support/server.js';

const U = '1.2.826.0.1.3680043.10.1386.70';
const S = (n: number) => `${U}.1.${n}`;
const SE = (n: number) => `${U}.2.${n}`;
const I = (n: number) => `${U}.3.${n}`;

const JANE = { patientId: 'PID-A1', patientName: 'Doe^Jane' };
const JOHN = { patientId: 'PID-A2', patientName: 'Doe^John' };
const ANNA = { patientId: 'PID-B1', patientName: 'Smith^Anna' };
const STUDY: Record<number, Omit<ArchiveInstanceSpec, 'seriesUid' | 'modality' | 'sopInstanceUid'>> = {
  1: { ...JANE, studyUid: S(1), studyDate: '20240110', studyTime: '083000', accession: 'ACC1' },
  2: { ...JANE, studyUid: S(2), studyDate: '20240620', studyTime: '141500', accession: 'ACC2' },
  3: { ...JOHN, studyUid: S(3), studyDate: '20231231', studyTime: '230000', accession: 'ACC3' },
  4: { ...ANNA, studyUid: S(4), studyDate: '20240315', studyTime: '120000', accession: 'ACC4' },
};
// [instance, study, series, modality]
const LAYOUT: [number, number, number, string][] = [
  [1, 1, 1, 'CT'],
  [2, 1, 1, 'CT'],
  [3, 1, 2, 'MR'],
  [4, 2, 3, 'CT'],
  [5, 3, 4, 'MR'],
  [6, 3, 4, 'MR'],
  [7, 4, 5, 'CT'],
  [8, 4, 6, 'OT'],
];

let s: ArchiveServer;
let dir: string;
let storescp: ChildProcess | undefined;
let received: string;
const files = new Map<string, string>();

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-archive-qr-'));
  received = path.join(dir, 'received');
  mkdirSync(received);
  const { port: storePort, child } = await startStorescp('STORESCP', received);
  storescp = child;
  s = await startArchiveServer({
    destinations: new Map([['STORESCP', { host: '127.0.0.1', port: storePort }]]),
  });
  for (const [i, st, se, modality] of LAYOUT) {
    const f = path.join(dir, `in${i}.dcm`);
    writeArchiveInstance(f, {
      ...STUDY[st]!,
      seriesUid: SE(se),
      modality,
      sopInstanceUid: I(i),
      instanceNumber: i,
    });
    files.set(I(i), f);
  }
  const r = await runDcmtk('storescu', [
    '-aet',
    'SENDER',
    '-aec',
    'DICOMTRAIL',
    '127.0.0.1',
    String(s.port),
    ...files.values(),
  ]);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(() => s.archive.index.index.size === 8, 5000, 'eight instances indexed');
});
after(async () => {
  if (storescp?.pid !== undefined) process.kill(storescp.pid, 'SIGTERM');
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

let runs = 0;
/** Runs findscu with `keys`; returns the response identifiers in order and the association's events. */
async function findscu(
  model: '-P' | '-S' | '-W',
  keys: string[],
): Promise<{ ids: DicomJson[]; events: Envelope[] }> {
  const od = path.join(dir, `find${++runs}`);
  mkdirSync(od);
  const known = new Set(s.sink.associationIds());
  const args = [
    model,
    '-aet',
    'FINDER',
    '-aec',
    'DICOMTRAIL',
    ...keys.flatMap((k) => ['-k', k]),
    '-X',
    '-od',
    od,
  ];
  const r = await runDcmtk('findscu', [...args, '127.0.0.1', String(s.port)]);
  assert.equal(r.code, 0, r.stderr);
  const ids = readdirSync(od)
    .sort()
    .map((f) => {
      const p = readPart10(readFileSync(path.join(od, f)));
      return datasetToDicomJson(p.datasetBytes, { transferSyntaxUid: p.transferSyntaxUid });
    });
  return { ids, events: await endedAssociation(s, known) };
}

const v = (id: DicomJson, tag: string): unknown[] =>
  (id[tag]?.Value ?? []).map((x) =>
    typeof x === 'object' && x ? (x as { Alphabetic?: string }).Alphabetic : x,
  );
const first = (id: DicomJson, tag: string): unknown => v(id, tag)[0];

test('storescu: every instance stored is indexed at its four levels, with an EVT_C_STORE each', () => {
  assert.deepEqual(s.archive.index.index.counts(), { PATIENT: 3, STUDY: 4, SERIES: 6, IMAGE: 8 });
  assert.equal(s.sink.events.filter((e) => e.type === 'EVT_C_STORE' && e.params['status'] === 0).length, 8);
});

test('findscu patient level (Patient Root): wildcard on PatientName, derived study count', async () => {
  const { ids, events } = await findscu('-P', [
    'QueryRetrieveLevel=PATIENT',
    'PatientName=Doe*',
    'PatientID',
    'NumberOfPatientRelatedStudies',
  ]);
  assert.deepEqual(
    ids.map((id) => [first(id, '00100020'), first(id, '00100010'), first(id, '00201200')]),
    [
      ['PID-A1', 'Doe^Jane', 2],
      ['PID-A2', 'Doe^John', 1],
    ],
  );
  assert.deepEqual(dimseSent(events), ['C-FIND-RSP FF00', 'C-FIND-RSP FF00', 'C-FIND-RSP 0000']);
  const find = events.find((e) => e.type === 'EVT_C_FIND')!.params;
  assert.equal(find['status'], 0);
  assert.equal(find['responses'], 3);
  assert.deepEqual((find['identifier'] as DicomJson)['00100010'], {
    vr: 'PN',
    Value: [{ Alphabetic: 'Doe*' }],
  });
  assertValidAndGapFree(events);
});

test('findscu study level (Study Root): date ranges closed and open, time range, ? wildcard, modalities in study', async () => {
  const studies = async (keys: string[]) =>
    (await findscu('-S', ['QueryRetrieveLevel=STUDY', 'StudyInstanceUID', ...keys])).ids.map((id) =>
      first(id, '0020000D'),
    );
  assert.deepEqual(await studies(['StudyDate=20240101-20241231']), [S(1), S(2), S(4)]);
  assert.deepEqual(await studies(['StudyDate=-20231231']), [S(3)]);
  assert.deepEqual(await studies(['StudyDate=20240301-', 'StudyTime=1200-1500']), [S(2), S(4)]);
  assert.deepEqual(await studies(['PatientName=D?e^J*', 'AccessionNumber=ACC?']), [S(1), S(2), S(3)]);
  const { ids } = await findscu('-S', [
    'QueryRetrieveLevel=STUDY',
    `StudyInstanceUID=${S(1)}`,
    'ModalitiesInStudy',
    'NumberOfStudyRelatedSeries',
    'NumberOfStudyRelatedInstances',
    'PatientID',
  ]);
  assert.equal(ids.length, 1);
  assert.deepEqual(v(ids[0]!, '00080061'), ['CT', 'MR']);
  assert.deepEqual([first(ids[0]!, '00201206'), first(ids[0]!, '00201208')], [2, 3]);
  assert.equal(first(ids[0]!, '00100020'), 'PID-A1');
  const { ids: byModality } = await findscu('-S', [
    'QueryRetrieveLevel=STUDY',
    'StudyInstanceUID',
    'ModalitiesInStudy=OT',
  ]);
  assert.deepEqual(
    byModality.map((id) => first(id, '0020000D')),
    [S(4)],
  );
});

test('findscu series and image levels: single value, wildcard, UID list, derived instance count', async () => {
  const { ids: series } = await findscu('-S', [
    'QueryRetrieveLevel=SERIES',
    `StudyInstanceUID=${S(1)}`,
    'Modality=C?',
    'SeriesInstanceUID',
    'NumberOfSeriesRelatedInstances',
  ]);
  assert.deepEqual(
    series.map((id) => [first(id, '0020000E'), first(id, '00201209')]),
    [[SE(1), 2]],
  );
  const { ids: list } = await findscu('-S', [
    'QueryRetrieveLevel=SERIES',
    `StudyInstanceUID=${S(4)}`,
    `SeriesInstanceUID=${SE(5)}\\${SE(6)}\\${SE(1)}`,
    'Modality',
  ]);
  assert.deepEqual(
    list.map((id) => [first(id, '0020000E'), first(id, '00080060')]),
    [
      [SE(5), 'CT'],
      [SE(6), 'OT'],
    ],
  );
  const { ids: images } = await findscu('-P', [
    'QueryRetrieveLevel=IMAGE',
    'PatientID=PID-A1',
    `StudyInstanceUID=${S(1)}`,
    `SeriesInstanceUID=${SE(1)}`,
    'SOPInstanceUID',
    'SOPClassUID',
    'InstanceNumber',
  ]);
  assert.deepEqual(
    images.map((id) => [first(id, '00080018'), first(id, '00200013')]),
    [
      [I(1), 1],
      [I(2), 2],
    ],
  );
  const { ids: wrongLevel, events } = await findscu('-S', ['QueryRetrieveLevel=PATIENT', 'PatientID']);
  assert.equal(wrongLevel.length, 0);
  assert.deepEqual(dimseSent(events), ['C-FIND-RSP A900'], 'PATIENT level is not in the Study Root model');
});

test('getscu: a series retrieved as C-STORE sub-operations on the same association; counts in every response and in EVT_C_GET', async () => {
  const od = path.join(dir, 'get');
  mkdirSync(od);
  const known = new Set(s.sink.associationIds());
  const r = await runDcmtk(
    'getscu',
    qrArgs({
      aet: 'GETTER',
      aec: 'DICOMTRAIL',
      port: s.port,
      keys: ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${S(1)}`, `SeriesInstanceUID=${SE(1)}`],
      extra: ['-od', od],
    }),
  );
  assert.equal(r.code, 0, r.stderr);
  const got = readdirSync(od).map((f) =>
    String(readPart10(readFileSync(path.join(od, f))).fileMeta['00020003']?.Value?.[0]),
  );
  assert.deepEqual(got.sort(), [I(1), I(2)]);
  const events = await endedAssociation(s, known);
  assert.deepEqual(dimseSent(events), [
    'C-STORE-RQ',
    'C-GET-RSP FF00',
    'C-STORE-RQ',
    'C-GET-RSP FF00',
    'C-GET-RSP 0000',
  ]);
  const counts = rspCounts(events, 'C-GET-RSP');
  assert.deepEqual(counts, [
    [1, 1, 0, 0],
    [0, 2, 0, 0],
    [undefined, 2, 0, 0],
  ]);
  const p = events.find((e) => e.type === 'EVT_C_GET')!.params;
  assert.equal(p['affected_sop_class_uid'], STUDY_ROOT_GET);
  assert.deepEqual(
    [p['status'], p['number_of_completed_suboperations'], p['number_of_failed_suboperations']],
    [0, 2, 0],
  );
  assertValidAndGapFree(events);
});

/** [remaining, completed, failed, warning] of each sent response of this type. */
function rspCounts(events: Envelope[], type: string): (number | undefined)[][] {
  return events
    .filter(
      (e) =>
        e.type === 'EVT_DIMSE_SENT' &&
        (e.params['message'] as { message_type: string }).message_type === type,
    )
    .map((e) => {
      const c = (e.params['message'] as { command: Record<string, number | undefined> }).command;
      return [
        c['number_of_remaining_suboperations'],
        c['number_of_completed_suboperations'],
        c['number_of_failed_suboperations'],
        c['number_of_warning_suboperations'],
      ];
    });
}

/** movescu of study 4 to `destination`. */
function moveStudy4(destination: string) {
  return runDcmtk(
    'movescu',
    qrArgs({
      aet: 'MOVER',
      aec: 'DICOMTRAIL',
      port: s.port,
      keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${S(4)}`],
      extra: ['-aem', destination],
    }),
  );
}

test('movescu: a study moved to storescp over a new association from the destination table, byte-exact, counts', async () => {
  const known = new Set(s.sink.associationIds());
  const r = await moveStudy4('STORESCP');
  assert.equal(r.code, 0, r.stderr);
  await waitFor(() => readdirSync(received).length >= 2, 5000, 'files at storescp');
  const got = readdirSync(received).map((f) => readPart10(readFileSync(path.join(received, f))));
  assert.deepEqual(got.map((p) => String(p.fileMeta['00020003']?.Value?.[0])).sort(), [I(7), I(8)]);
  for (const p of got) {
    const sent = readPart10(readFileSync(files.get(String(p.fileMeta['00020003']?.Value?.[0]))!));
    assert.ok(p.datasetBytes.equals(sent.datasetBytes), 'moved byte-exact');
  }
  const events = await endedAssociation(s, known);
  assert.deepEqual(dimseSent(events), ['C-MOVE-RSP FF00', 'C-MOVE-RSP FF00', 'C-MOVE-RSP 0000']);
  assert.deepEqual(rspCounts(events, 'C-MOVE-RSP'), [
    [1, 1, 0, 0],
    [0, 2, 0, 0],
    [undefined, 2, 0, 0],
  ]);
  const p = events.find((e) => e.type === 'EVT_C_MOVE')!.params;
  assert.equal(p['affected_sop_class_uid'], STUDY_ROOT_MOVE);
  assert.equal(p['move_destination'], 'STORESCP');
  assert.deepEqual([p['status'], p['number_of_completed_suboperations']], [0, 2]);
  const sub = s.sink.associationIds().filter((id) => !known.has(id) && id !== events[0]!.association.id);
  assert.equal(sub.length, 1, 'one sub-association');
  assert.equal(s.sink.of(sub[0]!)[0]!.association.called_ae_title, 'STORESCP');
});

test('movescu: an AE title not in the destination table gives 0xA801 and no sub-association', async () => {
  const known = new Set(s.sink.associationIds());
  const r = await moveStudy4('NOWHERE');
  assert.notEqual(r.code, 0);
  const events = await endedAssociation(s, known);
  assert.deepEqual(dimseSent(events), ['C-MOVE-RSP A801']);
  assert.equal(events.find((e) => e.type === 'EVT_C_MOVE')!.params['status'], 0xa801);
  assert.equal(s.sink.associationIds().filter((id) => !known.has(id)).length, 1);
});
