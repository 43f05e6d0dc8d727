/**
 * The archive's DIMSE-N services driven by our SCU: MPPS (create, duplicate, set, get, complete, set after
 * completion refused, persisted), Storage Commitment (a mix of stored and missing instances, the report on
 * the same association, and on a new association once the requestor has released), and a SOP class the
 * archive does not serve (context rejected; 0x0122 on a request that names it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { MppsStore } from '../../src/archive/mpps.js';
import { STORAGE_COMMITMENT_INSTANCE } from '../../src/archive/storage-commitment.js';
import { associate, type DicomClient } from '../../src/association/client.js';
import type { AdapterEvent } from '../../src/association/types.js';
import type { DicomJson } from '../../src/dataset/dicom-json.js';
import {
  BASIC_GRAYSCALE_PRINT_MANAGEMENT_META,
  MPPS,
  STORAGE_COMMITMENT_PUSH,
} from '../../src/dataset/uids.js';
import { HandlerRegistry } from '../../src/events/event-bus.js';
import type { NServiceRequest } from '../../src/service-classes/n-services.js';
import {
  type ArchiveServer,
  commitmentRequest,
  SC,
  startArchiveServer,
  storeCommitmentInstances,
} from '../support/archive.js';
import { endedAssociation } from '../support/qr.js';
import {
  assertValidAndGapFree,
  startTestServer,
  type TestServer,
  testLog,
  testPolicy,
  waitFor,
} from '../support/server.js';

const U = '1.2.826.0.1.3680043.10.1386.71';
const TS = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'];
let s: ArchiveServer;
let receiver: TestServer;
let dir: string;
const reports: NServiceRequest[] = [];

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-archive-n-'));
  // The requestor's own SCP, where a report goes once the requestor's association is gone.
  receiver = await startTestServer({
    policy: {
      ...testPolicy(),
      aeTitle: 'COMMITSCU',
      supported: { ...testPolicy().supported, abstractSyntaxes: new Set([STORAGE_COMMITMENT_PUSH]) },
    },
  });
  receiver.server.handlers.handle('EVT_N_EVENT_REPORT', ((req: NServiceRequest) => {
    reports.push(req);
    return [0, null];
  }) as never);
  s = await startArchiveServer({
    destinations: new Map([['COMMITSCU', { host: '127.0.0.1', port: receiver.port }]]),
    commitmentReportDelayMs: 200,
  });
});
after(async () => {
  await s.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

async function client(
  contexts: string[],
  calling = 'OURSCU',
  handlers?: HandlerRegistry<AdapterEvent>,
): Promise<DicomClient> {
  return associate({
    host: '127.0.0.1',
    port: s.port,
    callingAeTitle: calling,
    calledAeTitle: 'DICOMTRAIL',
    contexts: contexts.map((a) => ({ abstractSyntax: a, transferSyntaxes: TS })),
    log: testLog,
    ...(handlers ? { handlers } : {}),
  });
}

const cs = (v: string): DicomJson[string] => ({ vr: 'CS', Value: [v] });

test('MPPS: N-CREATE in progress, duplicate refused, N-SET, N-GET, COMPLETED is final, N-SET after it fails; steps persist', async () => {
  const known = new Set(s.sink.associationIds());
  const c = await client([MPPS]);
  const pps = `${U}.1.1`;
  const attrs: DicomJson = {
    '00400252': cs('IN PROGRESS'),
    '00100020': { vr: 'LO', Value: ['PID-MPPS'] },
    '00400253': { vr: 'SH', Value: ['PPS-1'] },
  };
  assert.equal((await c.nCreate(MPPS, pps, attrs)).status, 0x0000);
  assert.equal((await c.nCreate(MPPS, pps, attrs)).status, 0x0111, 'duplicate SOP instance');
  assert.equal((await c.nCreate(MPPS, `${U}.1.2`, { '00400252': cs('COMPLETED') })).status, 0x0106);
  const assigned = await c.nCreate(MPPS, undefined, attrs);
  assert.equal(assigned.status, 0);
  assert.match(String(assigned.command.affectedSopInstanceUid), /^2\.25\.\d+$/, 'the SCP assigned a UID');
  assert.equal(
    (await c.nSet(MPPS, `${U}.9.9`, { '00400252': cs('COMPLETED') })).status,
    0x0112,
    'unknown instance',
  );
  assert.equal((await c.nSet(MPPS, pps, { '00400254': { vr: 'LO', Value: ['step done'] } })).status, 0);
  const got = await c.nGet(MPPS, pps, [0x00400252, 0x00400254, 0x00100020]);
  assert.equal(got.status, 0);
  assert.deepEqual(got.dataset?.['00400252']?.Value, ['IN PROGRESS']);
  assert.deepEqual(got.dataset?.['00400254']?.Value, ['step done']);
  assert.equal((await c.nSet(MPPS, pps, { '00400252': cs('COMPLETED') })).status, 0);
  const late = await c.nSet(MPPS, pps, { '00400254': { vr: 'LO', Value: ['too late'] } });
  assert.equal(late.status, 0x0110);
  assert.match(String(late.command.errorComment), /may no longer be updated/);
  assert.equal((await c.nGet(MPPS, `${U}.9.9`)).status, 0x0112);
  await c.release();
  const events = await endedAssociation(s, known);
  assert.deepEqual(
    events
      .filter((e) => e.type.startsWith('EVT_N_'))
      .map((e) => `${e.type} ${Number(e.params['status']).toString(16)}`),
    [
      'EVT_N_CREATE 0',
      'EVT_N_CREATE 111',
      'EVT_N_CREATE 106',
      'EVT_N_CREATE 0',
      'EVT_N_SET 112',
      'EVT_N_SET 0',
      'EVT_N_GET 0',
      'EVT_N_SET 0',
      'EVT_N_SET 110',
      'EVT_N_GET 112',
    ],
  );
  const set = events.find((e) => e.type === 'EVT_N_SET' && e.params['status'] === 0)!.params;
  assert.deepEqual((set['modification_list'] as DicomJson)['00400254']?.Value, ['step done']);
  assertValidAndGapFree(events);
  const reopened = new MppsStore(s.archive.mpps.dir);
  assert.deepEqual(reopened.get(pps)?.['00400252']?.Value, ['COMPLETED'], 'the step survives a restart');
});

const uidsOf = (seq: DicomJson[string] | undefined): unknown[] =>
  ((seq?.Value ?? []) as DicomJson[]).map((i) => i['00081155']?.Value?.[0]);

test('storage commitment: stored and missing instances, N-EVENT-REPORT (type 2) on the same association', async () => {
  const stored = [`${U}.2.1`, `${U}.2.2`];
  const c0 = await client([SC]);
  await storeCommitmentInstances(c0, dir, `${U}.2`, stored);
  await c0.release();
  const received: NServiceRequest[] = [];
  const handlers = new HandlerRegistry<AdapterEvent>();
  handlers.handle('EVT_N_EVENT_REPORT', ((req: NServiceRequest) => {
    received.push(req);
    return [0, null];
  }) as never);
  const known = new Set(s.sink.associationIds());
  const c = await client([STORAGE_COMMITMENT_PUSH], 'OURSCU', handlers);
  const transaction = `${U}.2.99`;
  const missing = `${U}.2.3`;
  const rsp = await c.nAction(
    STORAGE_COMMITMENT_PUSH,
    STORAGE_COMMITMENT_INSTANCE,
    1,
    commitmentRequest(transaction, [
      [SC, stored[0]!],
      [SC, missing],
      [SC, stored[1]!],
    ]),
  );
  assert.equal(rsp.status, 0);
  await waitFor(() => received.length === 1, 5000, 'the N-EVENT-REPORT');
  await c.release();
  const r = received[0]!;
  assert.equal(r.request.eventTypeId, 2, 'some failed');
  assert.equal(r.request.affectedSopInstanceUid, STORAGE_COMMITMENT_INSTANCE);
  const info = r.datasetJson!;
  assert.deepEqual(info['00081195']?.Value, [transaction]);
  assert.deepEqual(uidsOf(info['00081199']), stored);
  assert.deepEqual(uidsOf(info['00081198']), [missing]);
  assert.deepEqual((info['00081198']!.Value![0] as DicomJson)['00081197']?.Value, [0x0112]);
  const events = await endedAssociation(s, known);
  const action = events.find((e) => e.type === 'EVT_N_ACTION')!.params;
  assert.deepEqual([action['status'], action['action_type_id']], [0, 1]);
  const sent = events
    .filter((e) => e.type === 'EVT_DIMSE_SENT')
    .map((e) => (e.params['message'] as { message_type: string }).message_type);
  assert.deepEqual(sent, ['N-ACTION-RSP', 'N-EVENT-REPORT-RQ'], 'the report follows the response');
  assertValidAndGapFree(events);
});

test('storage commitment: the requestor released before the report, which goes on a new association to its AE (type 1)', async () => {
  const c = await client([STORAGE_COMMITMENT_PUSH], 'COMMITSCU');
  const rsp = await c.nAction(
    STORAGE_COMMITMENT_PUSH,
    STORAGE_COMMITMENT_INSTANCE,
    1,
    commitmentRequest(`${U}.3.99`, [[SC, `${U}.2.1`]]),
  );
  assert.equal(rsp.status, 0);
  await c.release();
  await waitFor(() => reports.length === 1, 5000, 'the report on a new association');
  assert.equal(reports[0]!.request.eventTypeId, 1, 'all committed');
  assert.deepEqual(uidsOf(reports[0]!.datasetJson!['00081199']), [`${U}.2.1`]);
  assert.equal(reports[0]!.datasetJson!['00081198'], undefined);
  assert.equal(reports[0]!.association.callingAeTitle, 'DICOMTRAIL');
  const serverSide = s.sink.events.find(
    (e) => e.association.called_ae_title === 'COMMITSCU' && e.type === 'EVT_DIMSE_SENT',
  );
  assert.ok(serverSide, 'the archive recorded the report association');
  const action = s.sink.events.find(
    (e) => e.type === 'EVT_N_ACTION' && e.association.calling_ae_title === 'COMMITSCU',
  );
  assert.deepEqual(serverSide['parent'], {
    association_id: action!.association.id,
    message_id: action!.params['message_id'],
  });
});

test('a SOP class the archive does not serve: context rejected; named in an N-GET on the MPPS context it gets 0x0122', async () => {
  const c = await client([MPPS, BASIC_GRAYSCALE_PRINT_MANAGEMENT_META]);
  assert.throws(() => c.context(BASIC_GRAYSCALE_PRINT_MANAGEMENT_META), /no accepted presentation context/);
  const r = await c.nGet('1.2.840.10008.5.1.4.34.6.1', `${U}.4.1`, undefined, { abstractSyntax: MPPS });
  assert.equal(r.status, 0x0122);
  await c.release();
});
