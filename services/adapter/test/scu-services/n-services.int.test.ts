/**
 * Our SCU against our SCP: C-FIND cancelled mid-stream (0xFE00, EVT_C_CANCEL matched), a C-GET whose
 * sub-operation C-STORE is served by the requestor (SCP role), every DIMSE-N round trip through a
 * bound handler, the defaults without a handler, and SOP classes of another service refused with 0x0122.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { associate, type DicomClient } from '../../src/association/client.js';
import type { DicomJson } from '../../src/dataset/dicom-json.js';
import {
  CT_IMAGE_STORAGE,
  MPPS,
  STORAGE_COMMITMENT_PUSH,
  STUDY_ROOT_FIND,
  STUDY_ROOT_GET,
} from '../../src/dataset/uids.js';
import type { NServiceRequest } from '../../src/service-classes/n-services.js';
import { EXPLICIT_LE, IMPLICIT_LE, SC_IMAGE_STORAGE, uid, writeInstance } from '../support/instances.js';
import { endedAssociation, startQrServer } from '../support/qr.js';
import {
  assertValidAndGapFree,
  CollectingSink,
  type TestServer,
  testLog,
  waitFor,
} from '../support/server.js';

let s: TestServer;
let dir: string;
before(async () => {
  s = await startQrServer([MPPS, STORAGE_COMMITMENT_PUSH]);
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-scu-svc-'));
});
after(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const TS = [EXPLICIT_LE, IMPLICIT_LE];

async function client(
  abstractSyntaxes: string[],
  extra: { storeDir?: string; scpRoleFor?: string[] } = {},
): Promise<{ c: DicomClient; sink: CollectingSink }> {
  const sink = new CollectingSink();
  const c = await associate({
    host: '127.0.0.1',
    port: s.port,
    callingAeTitle: 'OURSCU',
    calledAeTitle: 'DICOMTRAIL',
    contexts: [
      ...abstractSyntaxes.map((a) => ({ abstractSyntax: a, transferSyntaxes: TS })),
      ...(extra.scpRoleFor ?? []).map((a) => ({
        abstractSyntax: a,
        transferSyntaxes: TS,
        scuRole: false,
        scpRole: true,
      })),
    ],
    log: testLog,
    sinks: [sink],
    ...(extra.storeDir ? { storeDir: extra.storeDir } : {}),
  });
  return { c, sink };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('C-FIND cancelled after two matches: final 0xFE00, EVT_C_CANCEL matched, EVT_C_FIND cancelled', async () => {
  let produced = 0;
  s.server.handlers.handle('EVT_C_FIND', (() =>
    (async function* () {
      for (let i = 0; i < 50; i++) {
        await sleep(40);
        produced++;
        yield [0xff00, { '00100020': { vr: 'LO', Value: [`PID-${i}`] } }] as const;
      }
    })()) as never);
  const known = new Set(s.sink.associationIds());
  const { c, sink } = await client([STUDY_ROOT_FIND]);
  const op = c.find(STUDY_ROOT_FIND, {
    '00080052': { vr: 'CS', Value: ['PATIENT'] },
    '00100020': { vr: 'LO' },
  } as DicomJson);
  const statuses: number[] = [];
  const ids: unknown[] = [];
  for await (const r of op) {
    statuses.push(r.status);
    if (r.identifier) ids.push(r.identifier['00100020']?.Value?.[0]);
    if (statuses.length === 2) await op.cancel();
  }
  await c.release();
  assert.equal(statuses.at(-1), 0xfe00);
  const pending = statuses.slice(0, -1);
  assert.ok(
    pending.length >= 2 && pending.length < 5,
    `pending results before the cancel: ${pending.length}`,
  );
  assert.ok(pending.every((st) => st === 0xff00));
  assert.deepEqual(ids.slice(0, 2), ['PID-0', 'PID-1']);
  assert.ok(produced < 50, 'the handler stopped');

  const events = await endedAssociation(s, known);
  const cancel = events.filter((e) => e.type === 'EVT_C_CANCEL');
  assert.equal(cancel.length, 1);
  assert.equal(cancel[0]!.params['matched'], true);
  assert.equal(cancel[0]!.params['cancelled_service'], 'C-FIND');
  assert.equal(cancel[0]!.params['message_id_being_responded_to'], op.messageId);
  const find = events.find((e) => e.type === 'EVT_C_FIND')!.params;
  assert.equal(find['status'], 0xfe00);
  assert.equal(find['status_category'], 'cancel');
  assert.equal(find['cancelled'], true);
  assert.equal(find['responses'], statuses.length);
  // Client side: the C-CANCEL-RQ went out after the second pending response.
  const sent = sink.events
    .filter((e) => e.type === 'EVT_DIMSE_SENT')
    .map((e) => (e.params['message'] as { message_type: string }).message_type);
  assert.deepEqual(sent, ['C-FIND-RQ', 'C-CANCEL-RQ']);
  assertValidAndGapFree(events);
  assertValidAndGapFree(sink.events);
});

test('C-GET by our SCU: the sub-operation C-STORE is served by the requestor (SCP role) into its store directory', async () => {
  const file = path.join(dir, 'get.dcm');
  const inst = writeInstance(file, { transferSyntax: EXPLICIT_LE });
  s.server.handlers.handle('EVT_C_GET', (() =>
    (function* () {
      yield 1;
      yield [0xff00, file] as const;
    })()) as never);
  const storeDir = mkdtempSync(path.join(dir, 'scu-store-'));
  const { c, sink } = await client([STUDY_ROOT_GET], { storeDir, scpRoleFor: [SC_IMAGE_STORAGE] });
  const out = await c.get(STUDY_ROOT_GET, {
    '00080052': { vr: 'CS', Value: ['STUDY'] },
    '0020000D': { vr: 'UI', Value: [uid()] },
  } as DicomJson);
  await c.release();
  assert.equal(out.status, 0);
  assert.equal(out.completed, 1);
  assert.equal(out.failed, 0);
  assert.equal(out.pending, 1);
  const store = sink.events.find((e) => e.type === 'EVT_C_STORE')!;
  assert.equal(store.params['affected_sop_instance_uid'], inst.sopInstanceUid);
  assert.equal(store.params['status'], 0);
  const stored = store.params['stored'] as { path: string };
  assert.ok(stored.path.startsWith(storeDir) && existsSync(stored.path));
  assertValidAndGapFree(sink.events);
});

test('every DIMSE-N service round trip through a bound handler; EVT_N_* with request and reply', async () => {
  const seen = new Map<string, NServiceRequest>();
  const bind = (type: string, reply: (req: NServiceRequest) => unknown) =>
    s.server.handlers.handle(
      type as never,
      ((req: NServiceRequest) => {
        seen.set(type, req);
        return reply(req);
      }) as never,
    );
  const assigned = uid();
  bind('EVT_N_CREATE', (req) => [
    0x0000,
    { '00001000': { vr: 'UI', Value: [assigned] }, ...req.datasetJson },
  ]);
  bind('EVT_N_SET', (req) => [0x0000, req.datasetJson]);
  bind('EVT_N_GET', () => [0x0000, { '00400252': { vr: 'CS', Value: ['COMPLETED'] } }]);
  bind('EVT_N_DELETE', () => 0x0000);
  bind('EVT_N_ACTION', () => [0x0000, null]);
  bind('EVT_N_EVENT_REPORT', () => [0x0000, { '00081195': { vr: 'UI', Value: ['1.2.3.4'] } }]);
  const known = new Set(s.sink.associationIds());
  const { c, sink } = await client([MPPS, STORAGE_COMMITMENT_PUSH]);

  const created = await c.nCreate(MPPS, undefined, { '00400252': { vr: 'CS', Value: ['IN PROGRESS'] } });
  assert.equal(created.status, 0);
  assert.equal(created.command.affectedSopInstanceUid, assigned);
  assert.deepEqual(created.dataset, { '00400252': { vr: 'CS', Value: ['IN PROGRESS'] } });

  const set = await c.nSet(MPPS, assigned, { '00400252': { vr: 'CS', Value: ['COMPLETED'] } });
  assert.equal(set.status, 0);
  assert.equal(set.command.affectedSopInstanceUid, assigned);
  assert.equal(seen.get('EVT_N_SET')?.request.requestedSopInstanceUid, assigned);

  const got = await c.nGet(MPPS, assigned, [0x00400252]);
  assert.equal(got.status, 0);
  assert.deepEqual(got.dataset, { '00400252': { vr: 'CS', Value: ['COMPLETED'] } });

  const action = await c.nAction(STORAGE_COMMITMENT_PUSH, '1.2.840.10008.1.20.1.1', 1, {
    '00081195': { vr: 'UI', Value: ['1.2.3.4'] },
  });
  assert.equal(action.status, 0);
  assert.equal(action.dataset, undefined);
  assert.equal(action.command.actionTypeId, 1);
  assert.equal(seen.get('EVT_N_ACTION')?.datasetJson?.['00081195']?.Value?.[0], '1.2.3.4');

  const report = await c.nEventReport(STORAGE_COMMITMENT_PUSH, '1.2.840.10008.1.20.1.1', 1, {
    '00081195': { vr: 'UI', Value: ['1.2.3.4'] },
  });
  assert.equal(report.status, 0);
  assert.equal(report.command.eventTypeId, 1);
  assert.equal(report.dataset?.['00081195']?.Value?.[0], '1.2.3.4');

  const deleted = await c.nDelete(MPPS, assigned);
  assert.equal(deleted.status, 0);
  await c.release();

  const events = await endedAssociation(s, known);
  const byType = (t: string) => events.filter((e) => e.type === t).map((e) => e.params);
  const create = byType('EVT_N_CREATE')[0]!;
  assert.equal(create['affected_sop_instance_uid'], assigned);
  assert.deepEqual(create['attribute_list'], { '00400252': { vr: 'CS', Value: ['IN PROGRESS'] } });
  assert.deepEqual(create['reply'], { '00400252': { vr: 'CS', Value: ['IN PROGRESS'] } });
  assert.deepEqual(byType('EVT_N_SET')[0]!['modification_list'], {
    '00400252': { vr: 'CS', Value: ['COMPLETED'] },
  });
  assert.deepEqual(byType('EVT_N_GET')[0]!['attribute_identifier_list'], ['00400252']);
  assert.equal(byType('EVT_N_ACTION')[0]!['action_type_id'], 1);
  assert.equal(byType('EVT_N_EVENT_REPORT')[0]!['event_type_id'], 1);
  assert.equal(byType('EVT_N_DELETE')[0]!['requested_sop_instance_uid'], assigned);
  for (const t of [
    'EVT_N_CREATE',
    'EVT_N_SET',
    'EVT_N_GET',
    'EVT_N_ACTION',
    'EVT_N_EVENT_REPORT',
    'EVT_N_DELETE',
  ]) {
    assert.equal(byType(t).length, 1, t);
    assert.equal(byType(t)[0]!['status'], 0, t);
  }
  assertValidAndGapFree(events);
  assertValidAndGapFree(sink.events);
});

test('DIMSE-N without a handler: 0x0110 processing failure; a handler exception: 0x0110', async () => {
  const s2 = await startQrServer([MPPS]);
  try {
    const sink = new CollectingSink();
    const c = await associate({
      host: '127.0.0.1',
      port: s2.port,
      callingAeTitle: 'OURSCU',
      calledAeTitle: 'DICOMTRAIL',
      contexts: [{ abstractSyntax: MPPS, transferSyntaxes: TS }],
      log: testLog,
      sinks: [sink],
    });
    const r = await c.nGet(MPPS, uid());
    assert.equal(r.status, 0x0110);
    s2.server.handlers.handle('EVT_N_GET', (() => {
      throw new Error('boom');
    }) as never);
    // Handlers are copied per association: the bind above applies to the next one.
    await c.release();
    const c2 = await associate({
      host: '127.0.0.1',
      port: s2.port,
      callingAeTitle: 'OURSCU',
      calledAeTitle: 'DICOMTRAIL',
      contexts: [{ abstractSyntax: MPPS, transferSyntaxes: TS }],
      log: testLog,
    });
    const r2 = await c2.nGet(MPPS, uid());
    assert.equal(r2.status, 0x0110);
    assert.equal(r2.command.errorComment, 'boom');
    await c2.release();
    await waitFor(
      () => s2.sink.events.filter((e) => e.type === 'EVT_N_GET').length === 2,
      5000,
      'N-GET events',
    );
    const gets = s2.sink.events.filter((e) => e.type === 'EVT_N_GET');
    assert.ok(gets.every((e) => e.params['status'] === 0x0110 && e.params['status_category'] === 'failure'));
    assertValidAndGapFree(s2.sink.events);
  } finally {
    await s2.close();
  }
});

test('a SOP class of another service is refused with 0x0122: C-FIND and N-GET on a storage SOP class', async () => {
  let called = false;
  s.server.handlers.handle('EVT_C_FIND', (() => {
    called = true;
    return [];
  }) as never);
  const known = new Set(s.sink.associationIds());
  const { c } = await client([CT_IMAGE_STORAGE]);
  const results = [];
  for await (const r of c.find(CT_IMAGE_STORAGE, { '00100020': { vr: 'LO' } } as DicomJson))
    results.push(r.status);
  assert.deepEqual(results, [0x0122]);
  const n = await c.nGet(CT_IMAGE_STORAGE, uid());
  assert.equal(n.status, 0x0122);
  await c.release();
  assert.equal(called, false, 'no handler ran');
  const events = await endedAssociation(s, known);
  assert.equal(events.filter((e) => e.type === 'EVT_C_FIND' || e.type === 'EVT_N_GET').length, 0);
  assertValidAndGapFree(events);
});
