import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createLogger } from '@dicomtrail/runtime';
import { freePort, kafkaBrokers, readTopic, uniqueTopic } from '@dicomtrail/testing';
import {
  createKafka,
  type EventProducer,
  ensureTopics,
  type InvalidRecord,
  type KafkaClientName,
  PlatformaticEventProducer,
  ProducerThreadError,
  ThreadedEventProducer,
} from '../src/index.js';

const log = createLogger('event-log-test', { level: 'silent' });

const variants: { name: string; make: (topic: string, brokers: string[]) => EventProducer }[] = [
  ...(['kafkajs', 'platformatic'] as KafkaClientName[]).map((client) => ({
    name: `${client} in a worker thread`,
    make: (topic: string, brokers: string[]) =>
      new ThreadedEventProducer({ client, topic, brokers, clientId: `threaded-test-${client}`, log }),
  })),
  {
    name: 'platformatic on the calling thread',
    make: (topic, brokers) =>
      new PlatformaticEventProducer({ topic, brokers, clientId: 'platformatic-test', log }),
  },
  // KAFKA_COMPRESSION=none: uncompressed batches, read back by kafkajs like gzip ones.
  ...(['kafkajs', 'platformatic'] as KafkaClientName[]).map((client) => ({
    name: `${client} in a worker thread, uncompressed`,
    make: (topic: string, brokers: string[]) =>
      new ThreadedEventProducer({
        client,
        topic,
        brokers,
        clientId: `threaded-test-${client}-none`,
        log,
        compression: 'none' as const,
      }),
  })),
];

for (const v of variants) {
  test(`producer (${v.name}): records reach the topic in order, with keys, headers and exact bytes; keys on murmur2 partitions`, async () => {
    const brokers = await kafkaBrokers();
    const topic = uniqueTopic('producer');
    await ensureTopics(createKafka({ clientId: 't', brokers, log }), [
      { topic, numPartitions: 3, replicationFactor: 1 },
    ]);
    const producer = v.make(topic, brokers);
    await producer.connect();
    // Values of different sizes, some from Buffer's shared pool (small), some not (large).
    const values = Array.from({ length: 300 }, (_, i) =>
      Buffer.from(`{"i":${i},"pad":"${'x'.repeat(i * 37)}"}`),
    );
    for (let i = 0; i < values.length; i += 100) {
      await producer.send(
        values.slice(i, i + 100).map((value, j) => ({
          key: `assoc-${(i + j) % 3}`,
          value,
          headers: { type: 'EVT_TEST', n: String(i + j) },
        })),
      );
    }
    await producer.disconnect();
    const got = await readTopic(topic, { until: (r) => r.length >= values.length, timeoutMs: 20_000 });
    assert.equal(got.length, values.length);
    // Per key: every record, in send order, on one partition — the partition Java/kafkajs murmur2 gives the key
    // (these three keys were checked against kafkajs's DefaultPartitioner for 3 partitions).
    const expectedPartition: Record<string, number> = {};
    for (const k of ['assoc-0', 'assoc-1', 'assoc-2']) {
      const mine = got.filter((r) => r.key === k);
      assert.equal(mine.length, 100);
      const ns = mine.map((r) => Number(r.headers['n']));
      assert.deepEqual(
        ns,
        [...ns].sort((a, b) => a - b),
        `${k} in order`,
      );
      assert.equal(new Set(mine.map((r) => r.partition)).size, 1, `${k} on one partition`);
      expectedPartition[k] = mine[0]!.partition;
      for (const r of mine) assert.ok(r.value?.equals(values[Number(r.headers['n'])]!), `${k} bytes`);
      assert.equal(mine[0]!.headers['type'], 'EVT_TEST');
    }
    assert.deepEqual(expectedPartition, MURMUR2_PARTITIONS);
  });
}

/** kafkajs DefaultPartitioner (Java-compatible murmur2) for these keys over 3 partitions. */
const MURMUR2_PARTITIONS: Record<string, number> = { 'assoc-0': 2, 'assoc-1': 1, 'assoc-2': 2 };

for (const client of ['kafkajs', 'platformatic'] as KafkaClientName[]) {
  test(`threaded producer (${client}): an unreachable broker rejects connect with the producer error`, async () => {
    const port = await freePort(); // nothing listens here
    const producer = new ThreadedEventProducer({
      client,
      topic: 'unused',
      brokers: [`127.0.0.1:${port}`],
      clientId: `threaded-test-down-${client}`,
      log,
      clientRetry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
    });
    const t0 = Date.now();
    await assert.rejects(producer.connect(), (err: unknown) => {
      assert.ok(err instanceof ProducerThreadError);
      assert.equal(err.code, 'DT_ERR_KAFKA_PRODUCER');
      return true;
    });
    assert.ok(Date.now() - t0 < 15_000, 'fails within seconds');
    await producer.disconnect();
  });
}

test('threaded producer with validateEvents: an invalid envelope is left out and reported, the valid ones are sent', async () => {
  const brokers = await kafkaBrokers();
  const topic = uniqueTopic('validate');
  await ensureTopics(createKafka({ clientId: 't', brokers, log }), [
    { topic, numPartitions: 1, replicationFactor: 1 },
  ]);
  const valid = readFileSync(
    new URL('../../../../schemas/examples/valid/conn-open.json', import.meta.url),
    'utf8',
  );
  const reported: InvalidRecord[] = [];
  const producer = new ThreadedEventProducer({
    client: 'platformatic',
    topic,
    brokers,
    clientId: 'threaded-validate',
    log,
    validateEvents: true,
    onInvalid: (invalid) => reported.push(...invalid),
  });
  await producer.connect();
  const broken = JSON.stringify({ ...JSON.parse(valid), seq: -1 });
  await producer.send([
    { key: 'a', value: Buffer.from(valid), headers: { type: 'EVT_CONN_OPEN' } },
    { key: 'b', value: Buffer.from(broken), headers: { type: 'EVT_CONN_OPEN' } },
    { key: 'c', value: Buffer.from('{not json'), headers: { type: 'EVT_CONN_OPEN' } },
    { key: 'd', value: Buffer.from(valid), headers: { type: 'EVT_CONN_OPEN' } },
  ]);
  await producer.disconnect();
  assert.deepEqual(
    reported.map((r) => [r.index, r.key, r.type, r.code]),
    [
      [1, 'b', 'EVT_CONN_OPEN', 'invalid_event'],
      [2, 'c', 'EVT_CONN_OPEN', 'not_json'],
    ],
  );
  assert.ok(
    reported[0]!.errors.some((e) => e.path === '/seq'),
    JSON.stringify(reported[0]!.errors),
  );
  const got = await readTopic(topic, { until: (r) => r.length >= 2, timeoutMs: 15_000 });
  assert.deepEqual(
    got.map((r) => r.key),
    ['a', 'd'],
  );
});
