import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testKafka, uniqueTopic } from '../src/index.js';

test('kafkajs round trip through the real broker: topic created, keyed messages, consumer group, committed offsets', async () => {
  const kafka = await testKafka('smoke');
  const topic = uniqueTopic('smoke');
  const groupId = `${topic}.group`;
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  try {
    assert.equal(
      await admin.createTopics({
        topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
        waitForLeaders: true,
      }),
      true,
    );
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(meta.topics[0]?.partitions.length, 3);

    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `assoc-${i % 3}`,
      value: JSON.stringify({ i }),
    }));
    await producer.send({ topic, acks: -1, messages: sent });

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received: { key: string; i: number; partition: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for messages')), 30_000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message, partition }) => {
            received.push({
              key: message.key!.toString(),
              i: JSON.parse(message.value!.toString()).i,
              partition,
            });
            await consumer.commitOffsets([
              { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
            ]);
            if (received.length === sent.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    assert.equal(received.length, 30);
    // One key always lands on one partition, and its messages keep their order.
    for (const key of ['assoc-0', 'assoc-1', 'assoc-2']) {
      const mine = received.filter((r) => r.key === key);
      assert.equal(new Set(mine.map((r) => r.partition)).size, 1, `${key} stays on one partition`);
      assert.deepEqual(
        mine.map((r) => r.i),
        [...mine.map((r) => r.i)].sort((a, b) => a - b),
      );
    }
    await consumer.stop();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const p of offsets[0]!.partitions) {
      const count = received.filter((r) => r.partition === p.partition).length;
      // kafkajs reports -1 for a partition with no committed offset (no message was keyed there).
      assert.equal(
        Number(p.offset),
        count === 0 ? -1 : count,
        `partition ${p.partition} committed after its last message`,
      );
    }
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
});
