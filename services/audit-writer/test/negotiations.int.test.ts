/**
 * Negotiations stored once (migration 0006), against real Postgres through writeBatch: an association's
 * lifecycle events refer to their negotiation by sha256 and keep none inline; a second association with the
 * same negotiation adds none; the view gives every event its negotiation back, verify passes for both insert
 * methods, and an edit of a stored negotiation (a superuser with triggers off) breaks the rows that refer to it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrate } from '@dicomtrail/migrations';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';
import pg from 'pg';
import { writeBatch } from '../src/batch-writer.js';
import type { InsertMethod } from '../src/event-insert.js';
import type { EventContent } from '../src/event-row.js';
import { PartitionKeeper } from '../src/partitions.js';
import { verifyTrail } from '../src/verify.js';
import { contentsOf, SOURCE } from './support/direct-write.js';
import { associationRecords } from './support/synthetic.js';

let db: TestDatabase;
let writer: pg.Pool;
let owner: pg.Pool;
let offset = 0;

before(async () => {
  db = await createTestDatabase('negotiations');
  await migrate(db.url);
  writer = new pg.Pool({ connectionString: db.url, max: 1, options: '-c role=dicomtrail_writer' });
  owner = new pg.Pool({ connectionString: db.url, max: 1 });
});
after(async () => {
  await writer?.end();
  await owner?.end();
  await db?.drop();
});

async function write(contents: readonly EventContent[], method: InsertMethod): Promise<void> {
  const events = contents.map((c) => {
    const o = String(offset++);
    return { offset: o, content: { ...c, source_offset: o } };
  });
  await new PartitionKeeper(writer).ensureFor(events.map((e) => e.content.occurred_at));
  const client = await writer.connect();
  try {
    await writeBatch(client, {
      groupId: 'g',
      ...SOURCE,
      events,
      lastOffset: events[events.length - 1]!.offset,
      method,
    });
  } finally {
    client.release();
  }
}

const q = async (sql: string) => (await owner.query(sql)).rows;

test('each distinct negotiation once; rows refer to it; the view and verify see it whole', async () => {
  const first = contentsOf(associationRecords('PID-NEG-1'));
  await write(first, 'copy');
  await write(contentsOf(associationRecords('PID-NEG-2')), 'recordset');
  const withNegotiation = first.filter((c) => c.negotiation !== null).length;
  assert.ok(withNegotiation >= 2);
  assert.deepEqual(await q('SELECT count(*)::int AS n FROM audit.events WHERE negotiation IS NOT NULL'), [
    { n: 0 },
  ]);
  assert.deepEqual(
    await q('SELECT count(*)::int AS n FROM audit.events WHERE negotiation_sha256 IS NOT NULL'),
    [{ n: 2 * withNegotiation }],
  );
  const distinct = new Set(first.flatMap((c) => (c.negotiation ? [JSON.stringify(c.negotiation)] : [])));
  assert.deepEqual(await q('SELECT count(*)::int AS n FROM audit.negotiations'), [{ n: distinct.size }]);
  const { rows } = await owner.query<{ id: string; negotiation: unknown }>(
    'SELECT id::text, negotiation FROM audit.events_with_negotiation WHERE id = ANY($1::uuid[])',
    [first.map((c) => c.id)],
  );
  const byId = new Map(rows.map((r) => [r.id, r.negotiation]));
  for (const c of first) assert.deepEqual(byId.get(c.id), c.negotiation);
  assert.equal((await verifyTrail(owner)).ok, true);
});

test('an edited stored negotiation breaks the rows that refer to it', async () => {
  const c = await owner.connect();
  try {
    await c.query('SET session_replication_role = replica');
    await c.query(
      `UPDATE audit.negotiations SET negotiation = jsonb_set(negotiation, '{max_pdu}', '{"requestor": 1}')
        WHERE sha256 = (SELECT sha256 FROM audit.negotiations ORDER BY recorded_at, sha256 LIMIT 1)`,
    );
    await c.query('RESET session_replication_role');
  } finally {
    c.release();
  }
  const report = await verifyTrail(owner);
  assert.equal(report.ok, false);
  assert.equal(report.broken?.problem, 'row_hash');
  const { rows } = await owner.query<{ sha: string | null }>(
    `SELECT encode(negotiation_sha256, 'hex') AS sha FROM audit.events WHERE id = $1`,
    [report.broken?.event_id],
  );
  assert.notEqual(rows[0]?.sha, null);
});

test('the writer role may not change a stored negotiation', async () => {
  await assert.rejects(
    writer.query(`UPDATE audit.negotiations SET recorded_at = now()`),
    /permission denied/,
  );
  await assert.rejects(owner.query('DELETE FROM audit.negotiations'), /append-only/);
});
