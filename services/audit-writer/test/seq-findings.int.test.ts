/**
 * Given/when/then against real Postgres, through writeBatch (no Kafka): a gap in an association's seq becomes a
 * finding only when a later seq arrives without the earlier ones, survives later batches, and is resolved when
 * the missing events arrive (late, from another offset); the projection counts each event once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrate } from '@dicomtrail/migrations';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';
import pg from 'pg';
import { verifyTrail } from '../src/verify.js';
import { contentsOf, writeDirect } from './support/direct-write.js';
import { associationRecords } from './support/synthetic.js';

let db: TestDatabase;
let pool: pg.Pool;
let offset = 0;
const events = contentsOf(associationRecords('PID-GAP'));
const ASSOC = events[0]!.association_id;

before(async () => {
  db = await createTestDatabase('seq_findings');
  await migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2, options: '-c role=dicomtrail_writer' });
});
after(async () => {
  await pool?.end();
  await db?.drop();
});

async function write(seqs: readonly number[]): Promise<void> {
  await writeDirect(
    pool,
    seqs.map((s) => events[s]!),
    offset,
  );
  offset += seqs.length;
}

const findings = async () =>
  (
    await pool.query(
      'SELECT expected_seq::int, got_seq::int, resolved_at IS NOT NULL AS resolved FROM audit.seq_findings ORDER BY 1',
    )
  ).rows;

test('an association split over batches in order: no finding', async () => {
  await write([0, 1, 2, 3]);
  await write([4, 5, 6]);
  assert.deepEqual(await findings(), []);
});

test('seq 9 after 6: 7..8 missing; later batches keep the finding open; 7 and 8 arriving late resolve it', async () => {
  await write([9, 10]);
  assert.deepEqual(await findings(), [{ expected_seq: 7, got_seq: 9, resolved: false }]);
  await write([11, 12]);
  await write([7]);
  assert.deepEqual(
    await findings(),
    [{ expected_seq: 7, got_seq: 9, resolved: false }],
    'one of two arrived',
  );
  await write([8, 13]);
  assert.deepEqual(await findings(), [{ expected_seq: 7, got_seq: 9, resolved: true }]);
  const { rows } = await pool.query(
    'SELECT event_count::int, max_seq::int FROM audit.associations WHERE association_id = $1',
    [ASSOC],
  );
  assert.deepEqual(rows, [{ event_count: 14, max_seq: 13 }]);
});

test('the same events again (new offsets, same ids): nothing inserted, nothing counted twice', async () => {
  await write([0, 1, 2, 13]);
  const { rows } = await pool.query(
    'SELECT event_count::int FROM audit.associations WHERE association_id = $1',
    [ASSOC],
  );
  assert.deepEqual(rows, [{ event_count: 14 }]);
  // An auditor (the reader role) can prove the chain.
  const reader = new pg.Pool({ connectionString: db.url, max: 1, options: '-c role=dicomtrail_reader' });
  try {
    assert.equal((await verifyTrail(reader)).ok, true);
  } finally {
    await reader.end();
  }
});
