/**
 * An envelope that fails validation never makes its association disappear: produced straight to a real topic
 * (as a hostile peer's A-ASSOCIATE-RQ with a NUL in the calling AE title would reach it), every event of that
 * association goes to the DLQ with the reason AND gets a row in audit.dead_letters, in the transaction that
 * moves the checkpoint; audit.dead_lettered_associations shows the association with its AE title spelled out.
 * The text `\u0000` (a backslash, then u0000) is no control character: that association is stored.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  createEventConsumer,
  createEventProducer,
  createKafka,
  HEADER_DLQ_REASON,
} from '@dicomtrail/event-log';
import type { AuditWriter } from '../src/consumer-loop.js';
import {
  createHarness,
  type Harness,
  startWriter,
  testLog,
  waitCaughtUp,
  waitFor,
} from './support/harness.js';
import { associationRecords, EVENTS_PER_ASSOCIATION } from './support/synthetic.js';

let h: Harness;
let writer: AuditWriter | undefined;

before(async () => {
  h = await createHarness('dead_letters', 1);
});
after(async () => {
  await writer?.stop();
  await h?.close();
});

function withCallingAe(records: ReturnType<typeof associationRecords>, ae: string) {
  return records.map((r) => {
    const e = JSON.parse(r.value.toString()) as { association: { calling_ae_title: string } };
    e.association.calling_ae_title = ae;
    return { ...r, value: Buffer.from(JSON.stringify(e)) };
  });
}

test('an association whose calling AE title holds NUL: every event dead-lettered, each one a row the auditor sees', async () => {
  const hostile = withCallingAe(associationRecords('PID-NUL'), 'EVIL\u0000AE');
  const text = withCallingAe(associationRecords('PID-TEXT'), 'TEXT\\u0000');
  const normal = associationRecords('PID-OK');
  const hostileId = hostile[0]!.key;
  const producer = createEventProducer({ topic: h.topic, brokers: h.brokers, log: testLog });
  await producer.connect();
  await producer.send([...normal, ...hostile, ...text]);
  await producer.disconnect();

  writer = await startWriter(h, 'audit-dead-letters');
  await waitCaughtUp(h, 'audit-dead-letters');

  const stored = await h.pool.query<{ association_id: string; n: number }>(
    'SELECT association_id::text, count(*)::int AS n FROM audit.events GROUP BY 1',
  );
  const counts = new Map(stored.rows.map((r) => [r.association_id, r.n]));
  assert.equal(counts.get(normal[0]!.key), EVENTS_PER_ASSOCIATION, 'the valid association is stored');
  assert.equal(counts.get(text[0]!.key), EVENTS_PER_ASSOCIATION, 'the text \\u0000 is no control character');
  assert.equal(counts.get(hostileId), undefined, 'no event of the hostile association is in the trail');

  const rows = await h.pool.query<{
    association_id: string;
    seq: number;
    event_type: string;
    calling_ae_title: string;
    reason: string;
    value_text: string;
  }>(
    `SELECT association_id::text, seq::int, event_type, calling_ae_title, reason, value_text
       FROM audit.dead_letters ORDER BY kafka_offset`,
  );
  assert.equal(rows.rows.length, EVENTS_PER_ASSOCIATION, 'one row per dead-lettered event');
  assert.deepEqual(
    rows.rows.map((r) => r.seq),
    Array.from({ length: EVENTS_PER_ASSOCIATION }, (_, i) => i),
  );
  for (const r of rows.rows) {
    assert.equal(r.association_id, hostileId);
    assert.equal(r.calling_ae_title, 'EVIL<U+0000>AE');
    assert.equal(
      r.reason,
      'invalid_event: /association/calling_ae_title: contains control character U+0000 at index 4 (AE titles and UIDs hold none)',
    );
    assert.ok(JSON.parse(r.value_text), 'the record is kept as JSON text');
  }
  assert.equal(rows.rows[0]!.event_type, JSON.parse(hostile[0]!.value.toString()).type);

  const view = await h.pool.query(
    `SELECT association_id::text, calling_ae_title, dead_lettered_events::int, first_seq::int, last_seq::int,
            partly_recorded, reasons FROM audit.dead_lettered_associations`,
  );
  assert.deepEqual(view.rows, [
    {
      association_id: hostileId,
      calling_ae_title: 'EVIL<U+0000>AE',
      dead_lettered_events: EVENTS_PER_ASSOCIATION,
      first_seq: 0,
      last_seq: EVENTS_PER_ASSOCIATION - 1,
      partly_recorded: false,
      reasons: [rows.rows[0]!.reason],
    },
  ]);

  // The DLQ has the same records, with the reason.
  const dlq = createEventConsumer({
    groupId: `dlq-reader-${h.topic}`,
    kafka: createKafka({ clientId: 'dlq-reader', brokers: h.brokers, log: testLog }),
    log: testLog,
    maxWaitTimeMs: 50,
  });
  const reasons: string[] = [];
  await dlq.connect();
  await dlq.run({
    topics: [`${h.topic}.dlq`],
    fromBeginning: true,
    handler: async (batch) => {
      for (const r of batch.records) reasons.push(r.headers[HEADER_DLQ_REASON] ?? '');
    },
  });
  try {
    await waitFor(() => reasons.length >= EVENTS_PER_ASSOCIATION, 30_000, 'the DLQ records');
  } finally {
    await dlq.disconnect();
  }
  assert.equal(reasons.length, EVENTS_PER_ASSOCIATION);
  assert.ok(reasons.every((r) => r === rows.rows[0]!.reason));
});

test('a replay of the same offsets (a restarted writer) adds no second row', async () => {
  await writer!.stop();
  await h.pool.query('UPDATE audit.consumer_checkpoints SET next_offset = 0');
  writer = await startWriter(h, 'audit-dead-letters');
  await waitCaughtUp(h, 'audit-dead-letters');
  const { rows } = await h.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.dead_letters');
  assert.equal(rows[0]!.n, EVENTS_PER_ASSOCIATION);
});
