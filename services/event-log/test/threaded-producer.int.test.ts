import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '@dicomtrail/runtime';
import { freePort, kafkaBrokers, readTopic, uniqueTopic } from '@dicomtrail/testing';
import { createKafka, ensureTopics, ProducerThreadError, ThreadedEventProducer } from '../src/index.js';

const log = createLogger('event-log-test', { level: 'silent' });

test('threaded producer: records reach the topic in order, with keys, headers and exact bytes', async () => {
  const brokers = await kafkaBrokers();
  const topic = uniqueTopic('threaded');
  await ensureTopics(createKafka({ clientId: 't', brokers, log }), [
    { topic, numPartitions: 1, replicationFactor: 1 },
  ]);
  const producer = new ThreadedEventProducer({ topic, brokers, clientId: 'threaded-test', log });
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
  got.forEach((r, i) => {
    assert.ok(r.value?.equals(values[i] as Buffer), `record ${i} bytes`);
    assert.equal(r.key, `assoc-${i % 3}`);
    assert.deepEqual(r.headers, { type: 'EVT_TEST', n: String(i) });
  });
});

test('threaded producer: an unreachable broker rejects connect with the producer error, and the thread ends', async () => {
  const port = await freePort(); // nothing listens here
  const producer = new ThreadedEventProducer({
    topic: 'unused',
    brokers: [`127.0.0.1:${port}`],
    clientId: 'threaded-test-down',
    log,
    clientRetry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
  });
  await assert.rejects(producer.connect(), (err: unknown) => {
    assert.ok(err instanceof ProducerThreadError);
    assert.equal(err.code, 'DT_ERR_KAFKA_PRODUCER');
    assert.match(err.message, /Kafka|connect|ECONNREFUSED/i);
    return true;
  });
  await producer.disconnect();
});
