/**
 * dcmtk's findscu -W against the archive's Modality Worklist: items kept as a DICOM JSON file (two items)
 * and a Part 10 file in WORKLIST_DIR; sequence matching on the Scheduled Procedure Step Sequence with a
 * date range and wildcards, and the requested sequence item keys returned.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import { type DicomJson, datasetToDicomJson } from '../../src/dataset/dicom-json.js';
import { encodeDataset } from '../../src/dataset/encode-dataset.js';
import { encodePart10Header, readPart10 } from '../../src/dataset/part10.js';
import { MODALITY_WORKLIST_FIND } from '../../src/dataset/uids.js';
import { type ArchiveServer, EXPLICIT_LE, startArchiveServer } from '../support/archive.js';
import { dimseSent, endedAssociation } from '../support/qr.js';
import { assertValidAndGapFree } from '../support/server.js';

let s: ArchiveServer;
let dir: string;

function item(
  name: string,
  id: string,
  acc: string,
  modality: string,
  station: string,
  date: string,
): DicomJson {
  return {
    '00080050': { vr: 'SH', Value: [acc] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: name }] },
    '00100020': { vr: 'LO', Value: [id] },
    '0020000D': { vr: 'UI', Value: [`1.2.826.0.1.3680043.10.1386.72.${id.slice(-1)}`] },
    '00401001': { vr: 'SH', Value: [`RP-${id}`] },
    '00400100': {
      vr: 'SQ',
      Value: [
        {
          '00080060': { vr: 'CS', Value: [modality] },
          '00400001': { vr: 'AE', Value: [station] },
          '00400002': { vr: 'DA', Value: [date] },
          '00400003': { vr: 'TM', Value: ['090000'] },
          '00400009': { vr: 'SH', Value: [`SPS-${id}`] },
        },
      ],
    },
  };
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-archive-wl-'));
  const wl = path.join(dir, 'worklist');
  mkdirSync(wl);
  writeFileSync(
    path.join(wl, 'a.json'),
    JSON.stringify([
      item('Doe^Jane', 'PID-W1', 'WACC1', 'CT', 'CT1', '20240110'),
      item('Doe^John', 'PID-W2', 'WACC2', 'MR', 'MR1', '20240111'),
    ]),
  );
  const meta = encodePart10Header({
    mediaStorageSopClassUid: MODALITY_WORKLIST_FIND,
    mediaStorageSopInstanceUid: '1.2.826.0.1.3680043.10.1386.72.99',
    transferSyntaxUid: EXPLICIT_LE,
    implementationClassUid: '1.2.826.0.1.3680043.10.1386.1.0',
    implementationVersionName: 'DT_TEST',
  });
  const third = item('Smith^Anna', 'PID-W3', 'WACC3', 'CT', 'CT2', '20240112');
  writeFileSync(path.join(wl, 'b.wl'), Buffer.concat([meta, encodeDataset(third, EXPLICIT_LE)]));
  writeFileSync(path.join(wl, 'broken.json'), '{ not json');
  s = await startArchiveServer({ worklistDir: wl });
});
after(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

let runs = 0;
async function worklist(keys: string[]): Promise<DicomJson[]> {
  const od = path.join(dir, `out${++runs}`);
  mkdirSync(od);
  const args = [
    '-W',
    '-aet',
    'MODALITY',
    '-aec',
    'DICOMTRAIL',
    ...keys.flatMap((k) => ['-k', k]),
    '-X',
    '-od',
    od,
  ];
  const r = await runDcmtk('findscu', [...args, '127.0.0.1', String(s.port)]);
  assert.equal(r.code, 0, r.stderr);
  return readdirSync(od)
    .sort()
    .map((f) => {
      const p = readPart10(readFileSync(path.join(od, f)));
      return datasetToDicomJson(p.datasetBytes, { transferSyntaxUid: p.transferSyntaxUid });
    });
}

const acc = (ids: DicomJson[]) => ids.map((id) => id['00080050']?.Value?.[0]);
const sps = (id: DicomJson) => (id['00400100']?.Value?.[0] ?? {}) as DicomJson;

test('worklist: modality and a date range inside the Scheduled Procedure Step Sequence', async () => {
  const known = new Set(s.sink.associationIds());
  const ids = await worklist([
    'AccessionNumber',
    'PatientName',
    'ScheduledProcedureStepSequence[0].Modality=CT',
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20240101-20240111',
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepID',
  ]);
  assert.deepEqual(acc(ids), ['WACC1']);
  assert.deepEqual(sps(ids[0]!)['00400009']?.Value, ['SPS-PID-W1']);
  assert.deepEqual(sps(ids[0]!)['00080060']?.Value, ['CT']);
  const events = await endedAssociation(s, known);
  assert.deepEqual(dimseSent(events), ['C-FIND-RSP FF00', 'C-FIND-RSP 0000']);
  const p = events.find((e) => e.type === 'EVT_C_FIND')!.params;
  assert.equal(p['affected_sop_class_uid'], MODALITY_WORKLIST_FIND);
  assert.equal(p['status'], 0);
  assertValidAndGapFree(events);
});

test('worklist: patient name wildcard with the sequence requested universally; station AE title wildcard', async () => {
  const byName = await worklist([
    'AccessionNumber',
    'PatientName=Doe*',
    'ScheduledProcedureStepSequence[0].Modality',
  ]);
  assert.deepEqual(acc(byName), ['WACC1', 'WACC2']);
  assert.deepEqual(
    byName.map((id) => sps(id)['00080060']?.Value?.[0]),
    ['CT', 'MR'],
  );
  const byStation = await worklist([
    'AccessionNumber',
    'ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT?',
  ]);
  assert.deepEqual(acc(byStation), ['WACC1', 'WACC3'], 'the Part 10 item too');
});
