/**
 * dcmtk's findscu against our C-FIND SCP: a bound EVT_C_FIND handler yields three matches; findscu
 * writes each response to a file (-X), the adapter sends FF00 ×3 then 0000, and EVT_C_FIND carries
 * the decoded request identifier and the outcome. Without a handler: 0xC311.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import { datasetToDicomJson } from '../../src/dataset/dicom-json.js';
import { readPart10 } from '../../src/dataset/part10.js';
import { STUDY_ROOT_FIND } from '../../src/dataset/uids.js';
import type { QueryRequest } from '../../src/service-classes/query-retrieve.js';
import { dimseSent, endedAssociation, startQrServer } from '../support/qr.js';
import { assertValidAndGapFree, type TestServer } from '../support/server.js';

let s: TestServer;
let dir: string;
before(async () => {
  s = await startQrServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-find-'));
});
after(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const STUDIES = [
  '1.2.826.0.1.3680043.10.1386.7.1',
  '1.2.826.0.1.3680043.10.1386.7.2',
  '1.2.826.0.1.3680043.10.1386.7.3',
];

const findArgs = (port: number) => [
  '-S',
  '-aet',
  'FINDER',
  '-aec',
  'DICOMTRAIL',
  '-k',
  'QueryRetrieveLevel=STUDY',
  '-k',
  'PatientName=Doe*',
  '-k',
  'StudyInstanceUID',
  '-X',
  '127.0.0.1',
  String(port),
];

test('findscu: three pending matches written by findscu, FF00 ×3 then 0000, EVT_C_FIND with identifier and outcome', async () => {
  let seen: QueryRequest | undefined;
  s.server.handlers.handle('EVT_C_FIND', ((req: QueryRequest) => {
    seen = req;
    return (function* () {
      for (const [i, uid] of STUDIES.entries())
        yield [
          0xff00,
          {
            '00080052': { vr: 'CS', Value: ['STUDY'] },
            '00100010': { vr: 'PN', Value: [{ Alphabetic: `Doe^Patient${i}` }] },
            '0020000D': { vr: 'UI', Value: [uid] },
          },
        ] as const;
    })();
  }) as never);
  const known = new Set(s.sink.associationIds());
  const cwd = mkdtempSync(path.join(dir, 'run-'));
  const r = await runDcmtk('findscu', findArgs(s.port), { cwd });
  assert.equal(r.code, 0, r.stderr);
  const files = readdirSync(cwd)
    .filter((f) => f.startsWith('rsp'))
    .sort();
  assert.deepEqual(files, ['rsp0001.dcm', 'rsp0002.dcm', 'rsp0003.dcm']);
  const got = files.map((f) => {
    const p10 = readPart10(readFileSync(path.join(cwd, f)));
    return datasetToDicomJson(p10.datasetBytes, { transferSyntaxUid: p10.transferSyntaxUid });
  });
  assert.deepEqual(
    got.map((j) => j['0020000D']?.Value?.[0]),
    STUDIES,
  );
  assert.deepEqual(
    got.map((j) => (j['00100010']?.Value?.[0] as { Alphabetic?: string } | undefined)?.Alphabetic),
    ['Doe^Patient0', 'Doe^Patient1', 'Doe^Patient2'],
  );
  // The handler saw the request identifier decoded.
  assert.equal(seen?.identifier['00080052']?.Value?.[0], 'STUDY');
  assert.equal(
    (seen?.identifier['00100010']?.Value?.[0] as { Alphabetic?: string } | undefined)?.Alphabetic,
    'Doe*',
  );

  const events = await endedAssociation(s, known);
  assert.deepEqual(dimseSent(events), [
    'C-FIND-RSP FF00',
    'C-FIND-RSP FF00',
    'C-FIND-RSP FF00',
    'C-FIND-RSP 0000',
  ]);
  const pending = events.filter(
    (e) =>
      e.type === 'EVT_DIMSE_SENT' &&
      (e.params['message'] as { command: { status: number } }).command.status === 0xff00,
  );
  assert.deepEqual(
    pending.map(
      (e) =>
        (e.params['message'] as { identifier: Record<string, { Value: string[] }> }).identifier['0020000D']
          ?.Value[0],
    ),
    STUDIES,
  );
  const find = events.filter((e) => e.type === 'EVT_C_FIND');
  assert.equal(find.length, 1);
  const p = find[0]!.params;
  assert.equal(p['affected_sop_class_uid'], STUDY_ROOT_FIND);
  assert.equal(p['status'], 0);
  assert.equal(p['status_category'], 'success');
  assert.equal(p['responses'], 4);
  assert.equal(p['cancelled'], false);
  assert.equal(p['priority'], 0);
  assert.equal(typeof p['message_id'], 'number');
  assert.equal((p['context'] as { abstract_syntax: string }).abstract_syntax, STUDY_ROOT_FIND);
  const id = p['identifier'] as Record<string, { Value?: unknown[] }>;
  assert.equal(id['00080052']?.Value?.[0], 'STUDY');
  assert.ok('0020000D' in id, 'the return key is in the identifier');
  // EVT_C_FIND comes before the final response, after the pending ones.
  const order = events.map((e) => e.type);
  assert.ok(order.indexOf('EVT_C_FIND') > events.indexOf(pending[2]!));
  assertValidAndGapFree(events);
});

test('findscu: a failing handler gives 0xC311 and no match', async () => {
  s.server.handlers.handle('EVT_C_FIND', (() => {
    throw new Error('database down');
  }) as never);
  const known = new Set(s.sink.associationIds());
  const cwd = mkdtempSync(path.join(dir, 'run-'));
  const r = await runDcmtk('findscu', findArgs(s.port), { cwd });
  assert.equal(r.code, 0, r.stderr); // findscu reports the failure status but exits normally
  assert.deepEqual(
    readdirSync(cwd).filter((f) => f.startsWith('rsp')),
    [],
  );
  const events = await endedAssociation(s, known);
  assert.deepEqual(dimseSent(events), ['C-FIND-RSP C311']);
  const p = events.find((e) => e.type === 'EVT_C_FIND')!.params;
  assert.equal(p['status'], 0xc311);
  assert.equal(p['status_category'], 'failure');
  assert.equal(p['error_comment'], 'database down');
  assertValidAndGapFree(events);
});
