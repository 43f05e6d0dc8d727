/**
 * Real DICOM traffic (dcmtk through the adapter process) → real Kafka → the audit writer → Postgres: the trail
 * and the projections hold the right values; replays and duplicates change nothing; the projections rebuild
 * to the same rows; the writer role cannot change the trail and verify catches a superuser's edit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createEventProducer, createKafka } from '@dicomtrail/event-log';
import { readTopic } from '@dicomtrail/testing';
import type { AuditWriter } from '../src/consumer-loop.js';
import { rebuildProjections } from '../src/rebuild.js';
import { verifyTrail } from '../src/verify.js';
import { type AdapterProcess, startAdapter } from './support/adapter-process.js';
import { checkAuditQueries } from './support/audit-queries.js';
import {
  createHarness,
  type Harness,
  snapshot,
  startWriter,
  testLog,
  waitCaughtUp,
  waitFor,
} from './support/harness.js';
import { runTraffic, TRAFFIC } from './support/traffic.js';

let h: Harness;
let adapter: AdapterProcess;
let writer: AuditWriter | undefined;
let dir: string;
const GROUP = 'audit-e2e';

before(async () => {
  h = await createHarness('e2e');
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-audit-e2e-'));
  writer = await startWriter(h, GROUP);
  adapter = await startAdapter(h.topic, h.brokers);
  await runTraffic(adapter.port, dir);
  await waitFor(
    async () => {
      const { rows } = await h.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM audit.associations WHERE closed_at IS NOT NULL',
      );
      return rows[0]!.n === TRAFFIC.associations;
    },
    30_000,
    'every association of the traffic closed in audit.associations',
  );
  await adapter.stop();
  await waitCaughtUp(h, GROUP);
});

after(async () => {
  await writer?.stop();
  await adapter?.stop();
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const one = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> => {
  const { rows } = await h.pool.query(sql, params);
  assert.equal(rows.length, 1, `one row from ${sql}`);
  return rows[0] as T;
};

test('dcmtk traffic through the adapter ends up in audit.events and the projections with the right values', async () => {
  // Every association's events are all there, seq 0..max without a hole, and no finding.
  const counts = await h.pool.query<{ event_count: string; max_seq: string; n: string }>(
    `SELECT a.event_count::text, a.max_seq::text, (SELECT count(DISTINCT seq) FROM audit.events e
        WHERE e.association_id = a.association_id)::text AS n FROM audit.associations a`,
  );
  for (const c of counts.rows) {
    assert.equal(Number(c.event_count), Number(c.max_seq) + 1);
    assert.equal(c.n, c.event_count);
  }
  assert.equal((await one<{ n: number }>('SELECT count(*)::int AS n FROM audit.seq_findings')).n, 0);

  const store = await one<Record<string, unknown>>(
    `SELECT * FROM audit.associations WHERE calling_ae_title = 'MODALITY1'`,
  );
  assert.equal(store['outcome'], 'released');
  assert.equal(store['released_by'], 'remote');
  assert.equal(store['called_ae_title'], 'DICOMTRAIL');
  assert.equal(store['remote_address'], '127.0.0.1');
  assert.equal(store['user_identity_type'], 'username');
  assert.equal(store['user_identity'], 'tech01');
  assert.equal(store['operation_count'], 3);
  assert.equal(store['instances_stored'], 3);
  assert.ok(
    Number(store['stored_bytes']) > 0 && Number(store['bytes_received']) > Number(store['stored_bytes']),
  );
  assert.ok(Number(store['bytes_sent']) > 0);
  assert.ok((store['accepted_contexts'] as unknown[]).length > 0);
  assert.equal(store['implementation_version_name'], 'OFFIS_DCMTK_367');
  for (const k of [
    'connected_at',
    'requested_at',
    'accepted_at',
    'established_at',
    'ended_at',
    'closed_at',
  ]) {
    assert.ok(store[k] instanceof Date, k);
  }

  const ops = await h.pool.query(
    `SELECT * FROM audit.operations WHERE association_id = $1 ORDER BY message_id`,
    [store['association_id']],
  );
  assert.deepEqual(
    ops.rows.map((o) => [
      o.service,
      o.direction,
      o.status,
      o.status_category,
      o.patient_id,
      o.study_instance_uid,
    ]),
    TRAFFIC.instances.map(() => ['C-STORE', 'received', 0, 'success', TRAFFIC.patientId, TRAFFIC.studyUid]),
  );
  assert.deepEqual(
    ops.rows.map((o) => o.sop_instance_uid),
    TRAFFIC.instances,
  );
  for (const o of ops.rows) {
    assert.equal(o.series_instance_uid, TRAFFIC.seriesUid);
    assert.equal(o.patient_name, TRAFFIC.patientName);
    assert.equal(o.accession_number, 'ACC-1');
    assert.ok(o.started_at <= o.handled_at && o.handled_at <= o.ended_at);
    assert.ok(o.duration !== null);
  }

  const rejected = await one(`SELECT * FROM audit.associations WHERE called_ae_title = 'WRONG'`);
  assert.deepEqual(
    [rejected['outcome'], rejected['cause_result'], rejected['cause_source'], rejected['cause_reason']],
    ['rejected', 1, 1, 7],
  );
  assert.equal(rejected['cause_reason_name'], 'called-ae-title-not-recognized');
  const aborted = await one(`SELECT * FROM audit.associations WHERE calling_ae_title = 'ABORTER'`);
  assert.equal(aborted['outcome'], 'aborted');
  assert.equal(aborted['cause_initiator'], 'remote');

  const find = await one(`SELECT * FROM audit.operations WHERE service = 'C-FIND'`);
  assert.deepEqual(
    [find['patient_id'], find['query_level'], find['status']],
    [TRAFFIC.patientId, 'STUDY', 0],
  );
  const move = await one(`SELECT * FROM audit.operations WHERE service = 'C-MOVE'`);
  assert.deepEqual([move['move_destination'], move['status_category']], ['NOWHERE', 'failure']);
  const commit = await one(`SELECT * FROM audit.operations WHERE service = 'N-ACTION'`);
  assert.deepEqual([commit['sop_class_uid'], commit['status']], ['1.2.840.10008.1.20.1', 0]);

  // Extracted columns on the trail itself.
  const stored = await h.pool.query(
    `SELECT patient_id, study_instance_uid, sop_instance_uid FROM audit.events WHERE type = 'EVT_C_STORE'`,
  );
  assert.equal(stored.rows.length, 3);
  assert.ok(
    stored.rows.every((r) => r.patient_id === TRAFFIC.patientId && r.study_instance_uid === TRAFFIC.studyUid),
  );
  const report = await verifyTrail(h.pool);
  assert.equal(report.ok, true, JSON.stringify(report.broken));
  assert.ok(report.rows > 100);
});

test('every query in docs/audit-queries.md runs and returns what the test expects', async () => {
  const n = await checkAuditQueries(h.pool);
  assert.ok(n >= 12, `${n} queries checked`);
});

test('duplicates and replays (group reset to the start, a new group, re-sent records) leave the same rows', async () => {
  const before = await snapshot(h.pool);
  // 1. the same records produced again (new offsets, same event ids), as a spool replay would
  const records = await readTopic(h.topic, { until: (r) => r.length >= 200, timeoutMs: 10_000 });
  const producer = createEventProducer({ topic: h.topic, brokers: h.brokers, log: testLog });
  await producer.connect();
  await producer.send(
    records
      .slice(0, 200)
      .map((r) => ({ key: r.key ?? '', value: r.value ?? Buffer.alloc(0), headers: r.headers })),
  );
  await producer.disconnect();
  await waitCaughtUp(h, GROUP);
  // 2. the group's offsets reset to the start
  await writer?.stop();
  writer = undefined;
  const admin = createKafka({ clientId: 'audit-test-admin', brokers: h.brokers, log: testLog }).admin();
  await admin.connect();
  await admin.resetOffsets({ groupId: GROUP, topic: h.topic, earliest: true });
  await admin.disconnect();
  writer = await startWriter(h, GROUP);
  await waitCaughtUp(h, GROUP);
  // 3. another group over the same database: everything is a duplicate
  const other = await startWriter(h, 'audit-e2e-replay');
  await waitCaughtUp(h, 'audit-e2e-replay');
  await other.stop();
  assert.deepEqual(await snapshot(h.pool), before);
  assert.ok(other.stats.duplicates > 0);
  assert.equal(other.stats.inserted, 0);
  assert.equal((await verifyTrail(h.pool)).ok, true);
});

test('rebuild-projections folds the same projections from audit.events', async () => {
  const before = await snapshot(h.pool);
  const r = await rebuildProjections(h.pool);
  assert.equal(r.associations, TRAFFIC.associations);
  assert.deepEqual(await snapshot(h.pool), before);
});

test('the writer role cannot UPDATE or DELETE; a superuser edit is caught by verify', async () => {
  const c = await h.pool.connect();
  try {
    await c.query('SET ROLE dicomtrail_writer');
    await assert.rejects(c.query(`UPDATE audit.events SET patient_id = 'X'`), /permission denied/);
    await assert.rejects(c.query('DELETE FROM audit.events'), /permission denied/);
    await assert.rejects(c.query('TRUNCATE audit.events'), /permission denied/);
    await c.query('RESET ROLE');
    await c.query('SET ROLE dicomtrail_reader');
    await assert.rejects(
      c.query(`INSERT INTO audit.seq_findings VALUES (gen_random_uuid(), 0, 1)`),
      /permission denied/,
    );
    assert.ok((await c.query('SELECT count(*) FROM audit.patient_access')).rows.length === 1);
    await c.query('RESET ROLE');
    // The trigger refuses even the owner.
    await assert.rejects(c.query(`UPDATE audit.events SET patient_id = 'X'`), /append-only/);
    await assert.rejects(c.query('DELETE FROM audit.events'), /append-only/);
    // A superuser who switches triggers off can edit a row; verify names it.
    const target = (
      await c.query(`SELECT id::text, chain_id, chain_position::int AS pos FROM audit.events
                      WHERE type = 'EVT_C_STORE' ORDER BY chain_id, chain_position LIMIT 1`)
    ).rows[0];
    await c.query('SET session_replication_role = replica');
    await c.query(`UPDATE audit.events SET patient_id = 'PID-FORGED' WHERE id = $1`, [target.id]);
    await c.query('RESET session_replication_role');
  } finally {
    c.release();
  }
  const report = await verifyTrail(h.pool);
  assert.equal(report.ok, false);
  assert.equal(report.broken?.problem, 'row_hash');
  const { rows } = await h.pool.query(`SELECT id::text FROM audit.events WHERE patient_id = 'PID-FORGED'`);
  assert.equal(report.broken?.event_id, rows[0].id);
});
