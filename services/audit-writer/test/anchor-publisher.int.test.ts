/**
 * The anchor publisher on the real Kafka, when the event topic does not take its anchors: they wait in order and
 * go out, each once, once it does. The topic is made missing (the producer never creates topics), then created.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { createEventProducer } from '@dicomtrail/event-log';
import { kafkaBrokers, readTopic, testKafka, uniqueTopic } from '@dicomtrail/testing';
import { keyIdOf } from '../src/anchoring/anchor-key.js';
import { AnchorPublisher } from '../src/anchoring/anchor-publisher.js';
import { ANCHOR_FORMAT, type Anchor, anchorDigest, signAnchor } from '../src/anchoring/anchor-record.js';
import { testLog, waitFor } from './support/harness.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

function anchors(n: number): Anchor[] {
  const out: Anchor[] = [];
  for (let seq = 1; seq <= n; seq++)
    out.push(
      signAnchor(
        {
          format: ANCHOR_FORMAT,
          seq,
          created_at: new Date(Date.UTC(2026, 11, 7, 20, 0, seq)).toISOString(),
          interval_ms: 1000,
          key_id: keyIdOf(publicKey),
          prev: seq === 1 ? null : anchorDigest(out[seq - 2] as Anchor),
          full: seq === 1,
          heads: [{ chain_id: 'anchor-test/0/events_2026_12', position: seq * 10, hash: 'ab'.repeat(32) }],
          retired: [],
        },
        privateKey,
      ),
    );
  return out;
}

test('anchors published while the event topic is missing wait in order and arrive once each when it exists', async () => {
  const topic = uniqueTopic('anchor-publisher');
  const producer = createEventProducer({ topic, brokers: await kafkaBrokers(), log: testLog });
  await producer.connect();
  const publisher = new AnchorPublisher({
    producer,
    node: { id: 'anchor-test', hostname: 'vm', version: '0.1.0' },
    log: testLog,
    retryMs: 300,
  });
  const [a1, a2, a3] = anchors(3) as [Anchor, Anchor, Anchor];
  try {
    // Given a topic that does not exist, when two anchors are published, then they are not sent,
    publisher.publish(a1, 'f1');
    publisher.publish(a2, 'f2');
    await waitFor(() => publisher.stats.failures >= 1, 60_000, 'a failed send');
    assert.equal(publisher.stats.published, 0);
    // and when the topic exists and a third comes, all three arrive, in order, once each.
    const admin = (await testKafka('anchor-publisher-admin')).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    publisher.publish(a3, 'f3');
    await waitFor(() => publisher.stats.published >= 3, 60_000, 'three anchors published');
    const records = await readTopic(topic, { until: (r) => r.length >= 3, timeoutMs: 30_000 });
    const seqs = records.map(
      (r) => (JSON.parse(String(r.value)) as { params: { anchor: Anchor } }).params.anchor.seq,
    );
    assert.deepEqual(seqs, [1, 2, 3]);
    assert.ok(records.every((r) => r.key === 'anchor-test' && r.headers['type'] === 'EVT_CHAIN_ANCHORED'));
  } finally {
    await publisher.stop(1000);
    await producer.disconnect();
  }
});
