/**
 * Transactions that fail for a while (the writer role loses INSERT on audit.events, as a disk-full or a
 * permissions mistake would make every batch fail) while the writer keeps fetching and more events arrive: once
 * writes succeed again, every event is in the trail exactly once, in chains that verify, and the projections count
 * each event once: the same rows, hashes and projections as a writer that never failed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEventProducer, type EventProducer, type EventRecord } from '@dicomtrail/event-log';
import type { AuditWriter } from '../src/consumer-loop.js';
import { verifyTrail } from '../src/verify.js';
import {
  createHarness,
  type Harness,
  snapshot,
  startWriter,
  testLog,
  waitCaughtUp,
  waitFor,
} from './support/harness.js';
import { associationRecords, EVENTS_PER_ASSOCIATION } from './support/synthetic.js';

let failing: Harness;
let reference: Harness;
const producers: EventProducer[] = [];
const writers: AuditWriter[] = [];

before(async () => {
  failing = await createHarness('write_failure', 3);
  reference = await createHarness('write_failure_ref', 3);
});

after(async () => {
  for (const w of writers) await w.stop();
  for (const p of producers) await p.disconnect().catch(() => undefined);
  await failing?.close();
  await reference?.close();
});

async function producerFor(h: Harness): Promise<EventProducer> {
  const p = createEventProducer({ topic: h.topic, brokers: h.brokers, log: testLog });
  await p.connect();
  producers.push(p);
  return p;
}

async function count(h: Harness): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.events');
  return rows[0]!.n;
}

test('failed transactions are retried: once writes succeed again every event is there once', async () => {
  const early: EventRecord[] = [];
  const late: EventRecord[] = [];
  for (let i = 0; i < 30; i++) early.push(...associationRecords(`PID-FAIL-${i}`));
  for (let i = 30; i < 60; i++) late.push(...associationRecords(`PID-FAIL-${i}`));
  const total = early.length + late.length;
  assert.equal(total, 60 * EVENTS_PER_ASSOCIATION);

  await failing.pool.query('REVOKE INSERT ON audit.events FROM dicomtrail_writer');
  const into = await producerFor(failing);
  await into.send(early);
  writers.push(await startWriter(failing));
  // Fetched, tried, refused: nothing is in the trail, nothing is checkpointed.
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(await count(failing), 0);
  await into.send(late);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await count(failing), 0);
  await failing.pool.query('GRANT INSERT ON audit.events TO dicomtrail_writer');
  await waitFor(async () => (await count(failing)) >= total, 60_000, 'every event written after the grant');
  await waitCaughtUp(failing, `audit-${failing.topic}`);

  const { rows } = await failing.pool.query<{ n: number; ids: number }>(
    'SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM audit.events',
  );
  assert.deepEqual(rows[0], { n: total, ids: total });
  const verified = await verifyTrail(failing.pool);
  assert.equal(verified.ok, true, JSON.stringify(verified.broken));
  assert.equal(verified.rows, total);

  // The same records through a writer that never failed: the same rows, hashes and projections.
  const ref = await producerFor(reference);
  await ref.send(early);
  await ref.send(late);
  writers.push(await startWriter(reference));
  await waitCaughtUp(reference, `audit-${reference.topic}`);
  const a = await snapshot(failing.pool);
  const b = await snapshot(reference.pool);
  assert.deepEqual(a['associations'], b['associations']);
  assert.deepEqual(a['operations'], b['operations']);
  assert.deepEqual(a['findings'], b['findings']);
  assert.equal((a['events'] as { n: number }[])[0]!.n, total);
});
