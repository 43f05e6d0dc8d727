/**
 * C-CANCEL and restarts against the archive: a store of 60 instances put in place before start-up (found by
 * the start-up scan), findscu --cancel 1 and movescu --cancel 1 stopped mid-way with 0xFE00 and the counts
 * so far; then a restart that keeps the index (journal), drops a file deleted while down and picks up one
 * copied in while down.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import {
  type ArchiveInstanceSpec,
  type ArchiveServer,
  startArchiveServer,
  startStorescp,
  writeArchiveInstance,
} from '../support/archive.js';
import { dimseSent, endedAssociation } from '../support/qr.js';
import { assertValidAndGapFree } from '../support/server.js';

const U = '1.2.826.0.1.3680043.10.1386.73';
const N = 60;
let s: ArchiveServer;
let dir: string;
let storeDir: string;
let received: string;
let storePort: number;
let storescp: ChildProcess | undefined;

const spec = (i: number): ArchiveInstanceSpec => ({
  patientId: 'PID-C',
  patientName: 'Cancel^Me',
  studyUid: `${U}.1`,
  studyDate: '20240101',
  studyTime: '080000',
  accession: 'C1',
  seriesUid: `${U}.2.${i % 2}`,
  modality: 'OT',
  sopInstanceUid: `${U}.3.${i}`,
  instanceNumber: i,
});

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-archive-cancel-'));
  storeDir = path.join(dir, 'store');
  received = path.join(dir, 'received');
  mkdirSync(path.join(storeDir, 'preloaded'), { recursive: true });
  mkdirSync(received);
  for (let i = 0; i < N; i++) writeArchiveInstance(path.join(storeDir, 'preloaded', `i${i}.dcm`), spec(i));
  ({ port: storePort, child: storescp } = await startStorescp('STORESCP', received));
  s = await startArchiveServer({
    storeDir,
    destinations: new Map([['STORESCP', { host: '127.0.0.1', port: storePort }]]),
  });
});
after(async () => {
  if (storescp?.pid !== undefined) process.kill(storescp.pid, 'SIGTERM');
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const common = (port: number) => ['-aet', 'CANCELLER', '-aec', 'DICOMTRAIL', '127.0.0.1', String(port)];

test('start-up scan: files already in the store are indexed', () => {
  assert.equal(s.archive.index.index.size, N);
  assert.equal(s.archive.index.index.counts().SERIES, 2);
});

test('findscu --cancel 1: the archive stops at the next result with 0xFE00', async () => {
  const known = new Set(s.sink.associationIds());
  const r = await runDcmtk('findscu', [
    '-S',
    '--cancel',
    '1',
    '-k',
    'QueryRetrieveLevel=IMAGE',
    '-k',
    `StudyInstanceUID=${U}.1`,
    '-k',
    'SeriesInstanceUID',
    '-k',
    'SOPInstanceUID',
    ...common(s.port),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const events = await endedAssociation(s, known);
  const sent = dimseSent(events);
  assert.equal(sent.at(-1), 'C-FIND-RSP FE00');
  assert.ok(sent.length - 1 < N, `stopped early: ${sent.length - 1} of ${N} results`);
  const p = events.find((e) => e.type === 'EVT_C_FIND')!.params;
  assert.deepEqual([p['status'], p['cancelled']], [0xfe00, true]);
  assert.ok(events.some((e) => e.type === 'EVT_C_CANCEL'));
  assertValidAndGapFree(events);
});

test('movescu --cancel 1: the move stops after the current sub-operation; FE00 with remaining, completed and failed', async () => {
  const known = new Set(s.sink.associationIds());
  const r = await runDcmtk('movescu', [
    '-S',
    '--cancel',
    '1',
    '-aem',
    'STORESCP',
    '-k',
    'QueryRetrieveLevel=STUDY',
    '-k',
    `StudyInstanceUID=${U}.1`,
    ...common(s.port),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const events = await endedAssociation(s, known);
  assert.equal(dimseSent(events).at(-1), 'C-MOVE-RSP FE00');
  const p = events.find((e) => e.type === 'EVT_C_MOVE')!.params;
  const completed = p['number_of_completed_suboperations'] as number;
  const remaining = p['number_of_remaining_suboperations'] as number;
  assert.deepEqual([p['status'], p['cancelled'], p['number_of_failed_suboperations']], [0xfe00, true, 0]);
  assert.ok(completed >= 1 && completed < N, `completed ${completed}`);
  assert.equal(completed + remaining, N, 'remaining counts what was not sent');
  assert.equal(readdirSync(received).length, completed, 'the files that arrived are the completed ones');
});

test('restart: the index comes back from the journal; a file deleted while down is dropped, one copied in is added', async () => {
  const extra = path.join(dir, 'sent.dcm');
  writeArchiveInstance(extra, { ...spec(100), studyUid: `${U}.9`, seriesUid: `${U}.9.1` });
  const r = await runDcmtk('storescu', [...common(s.port), extra]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(s.archive.index.index.size, N + 1);
  await s.close();
  unlinkSync(path.join(storeDir, 'preloaded', 'i0.dcm'));
  writeArchiveInstance(path.join(storeDir, 'preloaded', 'late.dcm'), spec(200));
  s = await startArchiveServer({ storeDir, destinations: new Map() });
  const st = s.archive.openStats;
  assert.deepEqual(
    [st.instances, st.journal_lines, st.dropped_missing, st.scanned, st.unreadable],
    [N + 1, N + 1, 1, 1, 0],
    'journal replayed; only the new file was parsed',
  );
  const found = await runDcmtk('findscu', [
    '-S',
    '-k',
    'QueryRetrieveLevel=STUDY',
    '-k',
    `StudyInstanceUID=${U}.9`,
    '-k',
    'NumberOfStudyRelatedInstances',
    ...common(s.port),
  ]);
  assert.equal(found.code, 0, found.stderr);
  assert.match(found.stderr + found.stdout, new RegExp(`${U.replace(/\./g, '\\.')}\\.9`));
  assert.equal(s.archive.index.index.get(`${U}.3.0`), undefined);
  assert.ok(s.archive.index.index.get(`${U}.3.200`));
});
