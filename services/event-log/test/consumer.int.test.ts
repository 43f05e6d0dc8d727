import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createLogger } from '@dicomtrail/runtime';
import { kafkaBrokers, uniqueTopic } from '@dicomtrail/testing';
import {
  type ConsumedRecord,
  createKafka,
  ensureTopics,
  KafkaEventConsumer,
  KafkaEventProducer,
} from '../src/index.js';

const log = createLogger('event-log-test', { level: 'silent' });

/** Consumes with `groupId` until `n` records arrived; commits what `commitUpTo` says; returns the records. */
async function consume(
  brokers: string[],
  topic: string,
  groupId: string,
  n: number,
  commitUpTo: (records: ConsumedRecord[]) => ConsumedRecord | undefined,
): Promise<ConsumedRecord[]> {
  const consumer = new KafkaEventConsumer({ brokers, groupId, log, maxWaitTimeMs: 50 });
  const got: ConsumedRecord[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.connect();
  await consumer.run({
    topics: [topic],
    handler: async (batch) => {
      got.push(...batch.records);
      if (got.length >= n) done();
    },
  });
  await finished;
  const last = commitUpTo(got);
  if (last)
    await consumer.commit([
      { topic, partition: last.partition, offset: (BigInt(last.offset) + 1n).toString() },
    ]);
  await consumer.disconnect();
  return got;
}

test('consumer: batches in offset order with keys and headers; resumes from the offset the caller committed', async () => {
  const brokers = await kafkaBrokers();
  const topic = uniqueTopic('consumer');
  const kafka = createKafka({ clientId: 'event-log-test', brokers, log });
  await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
  const producer = new KafkaEventProducer({ topic, kafka, log });
  await producer.connect();
  await producer.send(
    Array.from({ length: 10 }, (_, i) => ({
      key: 'assoc-1',
      value: Buffer.from(JSON.stringify({ i })),
      headers: { type: 'EVT_TEST', schema: 'dicomtrail.event/1' },
    })),
  );
  await producer.disconnect();

  const groupId = `test-group-${randomBytes(4).toString('hex')}`;
  // First member: reads all 10, commits only up to the 4th (offset 3 → next 4).
  const first = await consume(brokers, topic, groupId, 10, (r) => r[3]);
  assert.deepEqual(
    first.map((r) => JSON.parse(String(r.value)).i),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.equal(first[0]?.key, 'assoc-1');
  assert.deepEqual(first[0]?.headers, { type: 'EVT_TEST', schema: 'dicomtrail.event/1' });
  assert.ok(first.every((r) => r.topic === topic && r.partition === 0 && r.timestamp > 0));

  // Same group again: redelivery starts at the committed offset, not where the first member stopped reading.
  const second = await consume(brokers, topic, groupId, 6, () => undefined);
  assert.deepEqual(
    second.map((r) => r.offset),
    ['4', '5', '6', '7', '8', '9'],
  );
});
