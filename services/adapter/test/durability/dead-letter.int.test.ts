/**
 * An event Kafka refuses for good (larger than the topic's max.message.bytes) is not sent again forever, with
 * the real broker: an event topic made with max.message.bytes=100000 and its dead-letter topic with the
 * broker's default (~1 MiB). The write-ahead-log sink (AUDIT_DURABILITY=sync's) publishes five events: small,
 * ~400 KB (too large for the topic, fits the dead-letter topic), small, ~4 MB (too large for both), small.
 * The small ones reach the topic in order, the 400 KB one the dead-letter topic with its reason, the 4 MB one
 * is described in the local dead-letter file (id, length, sha256), and the log is trimmed (nothing retried).
 * The same with the async sink (KafkaSink).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { dlqTopicOf } from '@dicomtrail/event-log';
import { kafkaBrokers, readTopic, testKafka, uniqueTopic } from '@dicomtrail/testing';
import type { AdapterEvent, AssociationInfo } from '../../src/association/types.js';
import { utcTimestamp } from '../../src/events/clock.js';
import { createWalSink } from '../../src/sinks/create-wal-sink.js';
import { createKafkaSink } from '../../src/sinks/kafka-sink.js';
import { Spool } from '../../src/sinks/spool.js';
import { testLog, waitFor } from '../support/server.js';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-deadletter-'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const NODE = { id: 'dead-letter-test', hostname: 'localhost', version: '0.0.0', mode: 'scp' as const };

function association(): AssociationInfo {
  return {
    id: crypto.randomUUID(),
    role: 'acceptor',
    calling_ae_title: 'STORESCU',
    called_ae_title: 'DICOMTRAIL',
    local: { address: '127.0.0.1', port: 11112 },
    remote: { address: '127.0.0.1', port: 40000 },
  };
}

/** An EVT_INVALID_PDU whose message is `hexBytes` of random hex (gzip halves it at best). */
function event(assoc: AssociationInfo, seq: number, hexBytes: number): AdapterEvent {
  return {
    type: 'EVT_INVALID_PDU',
    timestamp: utcTimestamp(),
    seq,
    association: assoc,
    params: { code: 'DT_ERR_TEST', message: randomBytes(hexBytes / 2).toString('hex') },
  };
}

async function topics(): Promise<string> {
  const topic = uniqueTopic('deadletter');
  const admin = (await testKafka()).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '100000' }] },
        { topic: dlqTopicOf(topic), numPartitions: 1 },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

for (const durability of ['sync', 'async'] as const) {
  test(`${durability}: a record too large for the topic goes to the dead-letter topic, too large for that to a local record; nothing retried forever`, async () => {
    const topic = await topics();
    const spoolDir = path.join(dir, durability);
    const spool = await Spool.open(spoolDir);
    const cfg = {
      brokers: await kafkaBrokers(),
      topic,
      partitions: 1,
      replication: 1,
      node: NODE,
      log: testLog,
      lingerMs: 50,
    };
    const sink =
      durability === 'sync'
        ? createWalSink({ ...cfg, spool, failOpen: false })
        : createKafkaSink({ ...cfg, spool });
    if (durability === 'sync') {
      const wal = sink as ReturnType<typeof createWalSink>;
      await wal.recover();
      wal.start();
    }
    const assoc = association();
    const sizes = [200, 400_000, 200, 4_000_000, 200];
    const events = sizes.map((n, seq) => event(assoc, seq, n));
    for (const e of events) sink.write(e);
    const done = () => {
      const st = sink.stats() as { produced: number };
      return st.produced >= sizes.length;
    };
    await waitFor(done, 60_000, 'every record settled (sent or dead-lettered)');

    const onTopic = await readTopic(topic, { until: (r) => r.length >= 3, timeoutMs: 30_000 });
    const messages = (r: { value: Buffer | null }) =>
      JSON.parse(r.value!.toString()) as { seq: number; params: { message: string } };
    assert.deepEqual(
      onTopic.map((r) => messages(r).seq),
      [0, 2, 4],
      'the small events, in order',
    );
    const dlq = await readTopic(dlqTopicOf(topic), { until: (r) => r.length >= 1, timeoutMs: 30_000 });
    assert.equal(dlq.length, 1);
    assert.equal(messages(dlq[0]!).seq, 1, 'the 400 KB event, unchanged');
    assert.equal(messages(dlq[0]!).params.message, events[1]!.params['message']);
    assert.match(dlq[0]!.headers['dlq-reason'] ?? '', /^MESSAGE_TOO_LARGE: refused by the event topic/);
    assert.equal(dlq[0]!.headers['dlq-source'], `adapter/${NODE.id}`);

    const file = path.join(spoolDir, 'dead-letters.jsonl');
    const local = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; length: number; sha256: string; reason: string });
    assert.equal(local.length, 1, 'one event refused by both');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    // The 4 MB envelope as it was sent: its length and sha256 are what the local record says.
    const big = local[0]!;
    assert.ok(big.length > 4_000_000);
    assert.match(big.sha256, /^[0-9a-f]{64}$/);
    assert.match(big.reason, /MESSAGE_TOO_LARGE.*refused by the dead-letter topic too/);
    assert.notEqual(big.id, null);
    assert.ok(
      !onTopic.some((r) => (JSON.parse(r.value!.toString()) as { id: string }).id === big.id),
      'not on the topic',
    );
    await sink.close();
    assert.equal(spool.lastSeq - spool.ackedSeq, 0, 'the log holds nothing to send again');
    await spool.close();
  });
}
