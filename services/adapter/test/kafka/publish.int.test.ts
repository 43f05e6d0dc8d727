/**
 * The adapter's events in Kafka (real broker): dcmtk storescu (20 instances) and echoscu against our SCP
 * with a KafkaSink on a fresh topic; read back from the beginning. Every event the SCP emitted arrived
 * exactly once, keyed by its association, with `type`/`schema` headers, schema-valid, and in `seq` order
 * 0..n-1 within its partition.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseEvent } from '@dicomtrail/schemas';
import { type ConsumedRecord, kafkaBrokers, readTopic, runDcmtk, uniqueTopic } from '@dicomtrail/testing';
import { createKafkaSink, type KafkaSink } from '../../src/sinks/kafka-sink.js';
import { writeInstance } from '../support/instances.js';
import { CollectingSink, startTestServer, type TestServer, testLog, waitFor } from '../support/server.js';

const node = { id: 'test-node', hostname: os.hostname(), version: '0.1.0', mode: 'scp' as const };
let topic: string;
let kafkaSink: KafkaSink;
let collected: CollectingSink;
let s: TestServer;
let dir: string;

before(async () => {
  topic = uniqueTopic('publish');
  kafkaSink = createKafkaSink({
    brokers: await kafkaBrokers(),
    topic,
    partitions: 3,
    replication: 1,
    node,
    log: testLog,
  });
  // The first connect on a fresh broker may retry (coordinator loading): the warm-up happens here.
  assert.equal(await kafkaSink.connected(60_000), true, 'the publisher connects to the broker');
  collected = new CollectingSink();
  s = await startTestServer({ sinks: [collected, kafkaSink] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-kafka-'));
});
after(async () => {
  await s?.close();
  await kafkaSink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function ended(): number {
  return collected
    .associationIds()
    .filter((id) => collected.of(id).some((e) => e.type === 'EVT_RELEASED' || e.type === 'EVT_ABORTED'))
    .length;
}

test('storescu (20 instances) and echoscu: every event in Kafka once, keyed, headed, valid, in seq order', async () => {
  for (let i = 0; i < 20; i++) writeInstance(path.join(dir, `img${i}.dcm`), { pixelBytes: 2048 });
  const store = await runDcmtk(
    'storescu',
    ['-aet', 'MODALITY1', '-aec', 'DICOMTRAIL', '+sd', '127.0.0.1', String(s.port), dir],
    { timeoutMs: 60_000 },
  );
  assert.equal(store.code, 0, store.stderr);
  const echo = await runDcmtk('echoscu', [
    '-aet',
    'MODALITY1',
    '-aec',
    'DICOMTRAIL',
    '127.0.0.1',
    String(s.port),
  ]);
  assert.equal(echo.code, 0, echo.stderr);
  await waitFor(() => ended() >= 2, 20_000, 'both associations to end');
  // The connection-closed event follows the release: wait until the event stream is quiet.
  let last = -1;
  await waitFor(
    () => {
      const n = collected.events.length;
      const quiet = n === last;
      last = n;
      return quiet;
    },
    10_000,
    'events to settle',
  );

  const expected = collected.events;
  assert.ok(expected.filter((e) => e.type === 'EVT_C_STORE').length === 20, 'twenty C-STOREs');
  assert.ok(
    expected.some((e) => e.type === 'EVT_C_ECHO'),
    'a C-ECHO',
  );
  const records = await readTopic(topic, { until: (r) => r.length >= expected.length, timeoutMs: 30_000 });

  // Exactly once: no id twice, and the (association, seq) pairs are exactly those the SCP emitted.
  const ids = new Set<string>();
  const got = new Map<string, { type: string; record: ConsumedRecord }>();
  for (const r of records) {
    assert.ok(r.value, 'a value');
    const parsed = parseEvent(JSON.parse(r.value.toString('utf8')));
    assert.ok(parsed.ok, `schema-valid: ${JSON.stringify(parsed.ok ? [] : parsed.errors.slice(0, 3))}`);
    const ev = parsed.event;
    assert.ok('association' in ev, 'an association event');
    assert.ok(!ids.has(ev.id), `id ${ev.id} arrived once`);
    ids.add(ev.id);
    assert.equal(r.key, ev.association.id, 'key = association id');
    assert.equal(r.headers['type'], ev.type, 'header type');
    assert.equal(r.headers['schema'], ev.schema, 'header schema');
    assert.equal(ev.node.id, 'test-node');
    const k = `${ev.association.id}/${ev.seq}`;
    assert.ok(!got.has(k), `${k} arrived once`);
    got.set(k, { type: ev.type, record: r });
  }
  assert.equal(records.length, expected.length, 'as many records as events');
  for (const e of expected) {
    const g = got.get(`${e.association.id}/${e.seq}`);
    assert.ok(g, `${e.type} seq ${e.seq} of ${e.association.id} in Kafka`);
    assert.equal(g.type, e.type);
  }

  // Per association: one partition, and seq 0..n-1 in offset order.
  for (const id of collected.associationIds()) {
    const mine = records.filter((r) => r.key === id);
    const partitions = new Set(mine.map((r) => r.partition));
    assert.equal(partitions.size, 1, `association ${id} in one partition`);
    const seqs = mine
      .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))
      .map((r) => JSON.parse(r.value?.toString('utf8') ?? '{}').seq as number);
    assert.deepEqual(
      seqs,
      Array.from({ length: collected.of(id).length }, (_, i) => i),
      `association ${id}: seq in offset order without gaps`,
    );
  }

  const stats = kafkaSink.stats();
  assert.equal(stats.invalid, 0);
  assert.equal(stats.dropped, 0);
  assert.equal(stats.produced, expected.length);
  assert.equal(stats.state, 'connected');
  assert.equal(typeof stats.medianBatchMs, 'number');
});
