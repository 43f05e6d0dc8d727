/**
 * Proxy mode in the audit trail: storescu and echoscu call the adapter running as an audit proxy in front of
 * dcmtk's storescp (the "PACS"); an unreachable route is tried too. The trail holds both legs of each exchange;
 * the projection knows the node mode; the auditor views count each access once, on the leg the modality
 * opened, and say where it was relayed; audit.proxied_associations pairs the legs.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, runDcmtk } from '@dicomtrail/testing';
import type { AuditWriter } from '../src/consumer-loop.js';
import { type AdapterProcess, startAdapter } from './support/adapter-process.js';
import { createHarness, type Harness, startWriter, waitCaughtUp, waitFor } from './support/harness.js';
import { writeInstance } from './support/instances.js';

const U = '1.2.826.0.1.3680043.10.1386.90';
let h: Harness;
let proxy: AdapterProcess;
let writer: AuditWriter;
let storescp: ChildProcess;
let pacsPort: number;
let dir: string;

before(async () => {
  h = await createHarness('proxy');
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-audit-proxy-'));
  mkdirSync(path.join(dir, 'pacs'));
  pacsPort = await freePort();
  storescp = spawn('storescp', ['-aet', 'PACS', '-od', path.join(dir, 'pacs'), String(pacsPort)], {
    env: { ...process.env, TCP_NODELAY: '1' },
    stdio: 'ignore',
  });
  writer = await startWriter(h, 'audit-proxy');
  proxy = await startAdapter(h.topic, h.brokers, {
    PROXY_UPSTREAM: `127.0.0.1:${pacsPort}`,
    PROXY_ROUTES: `GONE=127.0.0.1:${await freePort()}`,
  });
  const files: string[] = [];
  for (const i of [1, 2]) {
    const f = path.join(dir, `in${i}.dcm`);
    await writeInstance(f, {
      sopInstanceUid: `${U}.3.${i}`,
      patientId: 'PID-PROXY',
      studyUid: `${U}.1`,
      seriesUid: `${U}.2`,
      patientName: 'Via^Proxy',
    });
    files.push(f);
  }
  const store = await runDcmtk('storescu', [
    '-aet',
    'MODALITY_P',
    '-aec',
    'PACS',
    '127.0.0.1',
    String(proxy.port),
    ...files,
  ]);
  assert.equal(store.code, 0, store.stderr);
  const gone = await runDcmtk('echoscu', [
    '-aet',
    'VIEWER_P',
    '-aec',
    'GONE',
    '127.0.0.1',
    String(proxy.port),
  ]);
  assert.notEqual(gone.code, 0, 'the unreachable route is refused');
  assert.equal(readdirSync(path.join(dir, 'pacs')).length, 2, 'both instances at the PACS');
  await waitFor(
    async () =>
      (await h.pool.query(`SELECT 1 FROM audit.associations WHERE closed_at IS NOT NULL`)).rows.length >= 3,
    30_000,
    'three associations closed (store: two legs; the refused one)',
  );
  await proxy.stop();
  await waitCaughtUp(h, 'audit-proxy');
});

after(async () => {
  await writer?.stop();
  await proxy?.stop();
  storescp?.kill('SIGTERM');
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('both legs are in the trail and the projection, with the node mode; the upstream leg points at the first', async () => {
  const { rows } = await h.pool.query(
    `SELECT association_id, role, node_mode, calling_ae_title, called_ae_title, remote_port, parent_association_id,
            outcome, operation_count, instances_stored
       FROM audit.associations WHERE calling_ae_title = 'MODALITY_P' ORDER BY role`,
  );
  assert.equal(rows.length, 2);
  const [down, up] = rows;
  assert.deepEqual(
    [down.role, down.node_mode, up.role, up.node_mode],
    ['acceptor', 'proxy', 'requestor', 'proxy'],
  );
  assert.equal(up.parent_association_id, down.association_id);
  assert.equal(up.remote_port, pacsPort);
  assert.equal(up.called_ae_title, 'PACS');
  assert.deepEqual([down.outcome, up.outcome], ['released', 'released']);
  assert.deepEqual([down.operation_count, down.instances_stored], [2, 2], 'the relayed operations, counted');
  const ops = await h.pool.query(
    `SELECT direction, status, patient_id FROM audit.operations WHERE association_id = $1`,
    [up.association_id],
  );
  assert.deepEqual(
    ops.rows.map((o) => [o.direction, o.status, o.patient_id]),
    [
      ['sent', 0, 'PID-PROXY'],
      ['sent', 0, 'PID-PROXY'],
    ],
  );
});

test('patient_access counts each access once, from the modality, and says where it was relayed', async () => {
  const { rows } = await h.pool.query(
    `SELECT sop_instance_uid, service, direction, status, calling_ae_title, remote_address, proxied_to
       FROM audit.patient_access WHERE patient_id = 'PID-PROXY' ORDER BY sop_instance_uid`,
  );
  assert.deepEqual(
    rows.map((r) => [r.sop_instance_uid, r.service, r.direction, r.status, r.calling_ae_title, r.proxied_to]),
    [1, 2].map((i) => [`${U}.3.${i}`, 'C-STORE', 'received', 0, 'MODALITY_P', `PACS@127.0.0.1:${pacsPort}`]),
  );
  const studies = await h.pool.query(
    `SELECT count(*)::int AS n FROM audit.study_access WHERE study_instance_uid = $1`,
    [`${U}.1`],
  );
  assert.equal(studies.rows[0].n, 2);
  const activity = await h.pool.query(
    `SELECT sum(associations)::int AS associations, sum(instances_stored)::int AS stored
       FROM audit.ae_activity WHERE ae_title = 'MODALITY_P' AND as_role = 'calling'`,
  );
  assert.deepEqual(activity.rows[0], { associations: 1, stored: 2 });
});

test('audit.proxied_associations pairs the legs; an unreachable upstream is a rejected downstream leg with the cause', async () => {
  const { rows } = await h.pool.query(
    `SELECT calling_ae_title, called_ae_title, outcome, cause_reason_name, cause_detail, instances_stored,
            upstream_association_id, upstream_ae_title, upstream_port, upstream_outcome, upstream_cause_detail,
            upstream_cause_initiator
       FROM audit.proxied_associations ORDER BY calling_ae_title`,
  );
  assert.equal(rows.length, 2);
  const [store, gone] = rows;
  assert.deepEqual(
    [
      store.calling_ae_title,
      store.outcome,
      store.instances_stored,
      store.upstream_ae_title,
      store.upstream_port,
      store.upstream_outcome,
    ],
    ['MODALITY_P', 'released', 2, 'PACS', pacsPort, 'released'],
  );
  assert.deepEqual(
    [gone.calling_ae_title, gone.called_ae_title, gone.outcome],
    ['VIEWER_P', 'GONE', 'rejected'],
  );
  assert.equal(gone.cause_reason_name, 'temporary-congestion');
  assert.match(gone.cause_detail, /unreachable: .*ECONNREFUSED/);
  // The proxy's attempt upstream is in the trail too: a connection that never opened, ended by the provider.
  assert.ok(gone.upstream_association_id, 'the attempt upstream is recorded');
  assert.equal(gone.upstream_outcome, 'aborted');
  assert.equal(gone.upstream_cause_initiator, 'dul');
  const rejected = await h.pool.query(
    `SELECT count(*)::int AS n FROM audit.rejected_associations WHERE calling_ae_title = 'VIEWER_P'`,
  );
  assert.equal(rejected.rows[0].n, 1);
});
