/**
 * dcmtk's movescu against our C-MOVE SCP, moving to a dcmtk storescp started here: the handler
 * yields the destination, the count and two instances; our SCP opens a sub-association to storescp
 * (its events carry `parent`), the files arrive, and EVT_C_MOVE carries the counts. An unknown
 * destination gives 0xA801.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, runDcmtk } from '@dicomtrail/testing';
import { readPart10 } from '../../src/dataset/part10.js';
import { STUDY_ROOT_MOVE } from '../../src/dataset/uids.js';
import type { QueryRequest } from '../../src/service-classes/query-retrieve.js';
import { uid, writeInstance } from '../support/instances.js';
import { dimseSent, endedAssociation, startQrServer } from '../support/qr.js';
import { assertValidAndGapFree, type TestServer, waitFor } from '../support/server.js';

let s: TestServer;
let dir: string;
let storescp: ChildProcess | undefined;
let storePort: number;
let received: string;

async function listening(port: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect({ host: '127.0.0.1', port });
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - t0 > 10_000) throw new Error('storescp did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  s = await startQrServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-move-'));
  received = path.join(dir, 'received');
  mkdirSync(received);
  storePort = await freePort();
  storescp = spawn('storescp', ['-aet', 'STORESCP', '-od', received, String(storePort)], {
    env: { ...process.env, TCP_NODELAY: '1' },
    stdio: 'ignore',
  });
  await listening(storePort);
});
after(async () => {
  if (storescp?.pid !== undefined) process.kill(storescp.pid, 'SIGTERM');
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const moveArgs = (port: number, study: string, dest: string) => [
  '-S',
  '-aet',
  'MOVER',
  '-aec',
  'DICOMTRAIL',
  '-aem',
  dest,
  '-k',
  'QueryRetrieveLevel=STUDY',
  '-k',
  `StudyInstanceUID=${study}`,
  '127.0.0.1',
  String(port),
];

test('movescu: two instances moved to storescp over a sub-association linked by parent; counts in EVT_C_MOVE', async () => {
  const study = uid();
  const files = [0, 1].map((i) => path.join(dir, `m${i}.dcm`));
  const sent = files.map((f) => writeInstance(f, { studyUid: study }).sopInstanceUid);
  let destination: string | undefined;
  s.server.handlers.handle('EVT_C_MOVE', ((req: QueryRequest & { moveDestination: string }) => {
    destination = req.moveDestination;
    return (function* () {
      yield req.moveDestination === 'STORESCP' ? (['127.0.0.1', storePort] as const) : null;
      yield 2;
      for (const f of files) yield [0xff00, f] as const;
    })();
  }) as never);
  const known = new Set(s.sink.associationIds());
  const r = await runDcmtk('movescu', moveArgs(s.port, study, 'STORESCP'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(destination, 'STORESCP');
  await waitFor(() => readdirSync(received).length >= 2, 5000, 'files at storescp');
  const got = readdirSync(received).map((f) => readPart10(readFileSync(path.join(received, f))));
  assert.deepEqual(got.map((p) => String(p.fileMeta['00020003']?.Value?.[0])).sort(), [...sent].sort());
  for (const p of got) {
    const i = sent.indexOf(String(p.fileMeta['00020003']?.Value?.[0]));
    assert.ok(p.datasetBytes.equals(readPart10(readFileSync(files[i]!)).datasetBytes), 'moved byte-exact');
  }

  const events = await endedAssociation(s, known);
  const parentId = events[0]!.association.id;
  assert.deepEqual(dimseSent(events), ['C-MOVE-RSP FF00', 'C-MOVE-RSP FF00', 'C-MOVE-RSP 0000']);
  const move = events.filter((e) => e.type === 'EVT_C_MOVE');
  assert.equal(move.length, 1);
  const p = move[0]!.params;
  assert.equal(p['affected_sop_class_uid'], STUDY_ROOT_MOVE);
  assert.equal(p['move_destination'], 'STORESCP');
  assert.equal(p['status'], 0);
  assert.equal(p['number_of_completed_suboperations'], 2);
  assert.equal(p['number_of_failed_suboperations'], 0);
  assert.equal(p['responses'], 3);
  const moveMessageId = p['message_id'];

  // The sub-association: requestor, called STORESCP, every event linked to the C-MOVE.
  const subIds = s.sink.associationIds().filter((id) => !known.has(id) && id !== parentId);
  assert.equal(subIds.length, 1);
  const sub = s.sink.of(subIds[0]!);
  await waitFor(() => s.sink.of(subIds[0]!).some((e) => e.type === 'EVT_RELEASED'), 5000, 'sub release');
  for (const e of sub) assert.deepEqual(e['parent'], { association_id: parentId, message_id: moveMessageId });
  assert.equal(sub[0]!.association.called_ae_title, 'STORESCP');
  assert.equal(sub[0]!.association.calling_ae_title, 'DICOMTRAIL');
  const stores = sub.filter(
    (e) =>
      e.type === 'EVT_DIMSE_SENT' &&
      (e.params['message'] as { message_type: string }).message_type === 'C-STORE-RQ',
  );
  assert.equal(stores.length, 2);
  for (const e of stores) {
    const c = (e.params['message'] as { command: Record<string, unknown> }).command;
    assert.equal(c['move_originator_application_entity_title'], 'MOVER');
    assert.equal(c['move_originator_message_id'], moveMessageId);
  }
  // The sub-association ran inside the C-MOVE: between the parent's DIMSE_RECV and its final response.
  assertValidAndGapFree([...events, ...s.sink.of(subIds[0]!)]);
});

test('movescu: unknown move destination gives 0xA801', async () => {
  s.server.handlers.handle('EVT_C_MOVE', (() =>
    (function* () {
      yield null;
    })()) as never);
  const known = new Set(s.sink.associationIds());
  const r = await runDcmtk('movescu', moveArgs(s.port, uid(), 'NOWHERE'));
  assert.notEqual(r.code, 0, 'movescu reports the failure in its exit code');
  assert.match(r.stderr + r.stdout, /MoveDestinationUnknown/);
  const events = await endedAssociation(s, known);
  assert.deepEqual(dimseSent(events), ['C-MOVE-RSP A801']);
  const p = events.find((e) => e.type === 'EVT_C_MOVE')!.params;
  assert.equal(p['status'], 0xa801);
  assert.equal(p['move_destination'], 'NOWHERE');
  assert.equal(s.sink.associationIds().filter((id) => !known.has(id)).length, 1, 'no sub-association');
  assertValidAndGapFree(events);
});
