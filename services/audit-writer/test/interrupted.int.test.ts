/**
 * Given/when/then against real Postgres, through writeBatch (no Kafka): an association cut off by a crash of
 * the adapter (its events up to the first C-STORE, then EVT_ASSOCIATION_INTERRUPTED recorded at the restart)
 * is projected as outcome 'interrupted', ended at its last event before the crash, listed by
 * audit.interrupted_associations and counted by audit.ae_activity; the reader role can see it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EventRecord } from '@dicomtrail/event-log';
import { migrate } from '@dicomtrail/migrations';
import { uuidv7 } from '@dicomtrail/schemas';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';
import pg from 'pg';
import { contentsOf, writeDirect } from './support/direct-write.js';
import { associationRecords } from './support/synthetic.js';

let db: TestDatabase;
let pool: pg.Pool;

before(async () => {
  db = await createTestDatabase('interrupted');
  await migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2, options: '-c role=dicomtrail_writer' });
});
after(async () => {
  await pool?.end();
  await db?.drop();
});

/** An association's records up to its first EVT_C_STORE, then the restart's EVT_ASSOCIATION_INTERRUPTED. */
function cutOff(patientId: string): { records: EventRecord[]; lastTimestamp: string } {
  const all = associationRecords(patientId);
  const json = all.map((r) => JSON.parse(r.value.toString()) as Record<string, unknown>);
  const upTo = json.findIndex((e) => e['type'] === 'EVT_C_STORE');
  const last = json[upTo] as Record<string, unknown> & {
    seq: number;
    timestamp: string;
    node: { id: string };
  };
  const interrupted = {
    ...last,
    id: uuidv7(),
    type: 'EVT_ASSOCIATION_INTERRUPTED',
    kind: 'notification',
    seq: last.seq + 1,
    timestamp: new Date(Date.now() + 60_000).toISOString().replace('Z', '000Z'),
    trace: {
      trace_id: (last['trace'] as { trace_id: string }).trace_id,
      span_id: (json[0]!['trace'] as { span_id: string }).span_id,
    },
    params: {
      node_id: last.node.id,
      last_seq: last.seq,
      last_type: 'EVT_C_STORE',
      last_timestamp: last.timestamp,
      detail: 'the node stopped without closing the association (crash, kill or power loss)',
    },
  };
  const key = all[0]!.key;
  return {
    records: [
      ...all.slice(0, upTo + 1),
      {
        key,
        value: Buffer.from(JSON.stringify(interrupted)),
        headers: { type: 'EVT_ASSOCIATION_INTERRUPTED', schema: String(last['schema']) },
      },
    ],
    lastTimestamp: last.timestamp,
  };
}

test('an association cut off by a crash: outcome interrupted, ended at its last event, in the auditor views', async () => {
  const { records, lastTimestamp } = cutOff('PID-CRASH');
  await writeDirect(pool, contentsOf(records), 0);
  const id = records[0]!.key;
  const { rows } = await pool.query(
    `SELECT outcome, ended_at = $2::timestamptz AS ended_at_last_event, cause_detail, instances_stored::int
       FROM audit.associations WHERE association_id = $1`,
    [id, lastTimestamp],
  );
  assert.deepEqual(rows, [
    {
      outcome: 'interrupted',
      ended_at_last_event: true,
      cause_detail: 'the node stopped without closing the association (crash, kill or power loss)',
      instances_stored: 1,
    },
  ]);
  const reader = new pg.Pool({ connectionString: db.url, max: 1, options: '-c role=dicomtrail_reader' });
  try {
    const listed = await reader.query(
      'SELECT association_id, instances_stored::int FROM audit.interrupted_associations',
    );
    assert.deepEqual(listed.rows, [{ association_id: id, instances_stored: 1 }]);
    const activity = await reader.query(
      "SELECT sum(interrupted)::int AS interrupted, sum(aborted)::int AS aborted FROM audit.ae_activity WHERE as_role = 'calling'",
    );
    assert.deepEqual(activity.rows, [{ interrupted: 1, aborted: 0 }]);
  } finally {
    await reader.end();
  }
});
