/**
 * Envelopes built off the DICOM thread reach Kafka as the DICOM thread would have built them: storescu (5
 * instances) against our SCP with two Kafka sinks, the default one (envelope thread + producer thread, the
 * C-STORE header decoded in the envelope thread) and one with producerThread false (everything on the DICOM
 * thread), each on its own topic. Every record of both topics equals, byte for byte but the UUIDv7 `id`,
 * encodeEnvelope of the very event the association emitted (decoded here).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { kafkaBrokers, readTopic, runDcmtk, uniqueTopic } from '@dicomtrail/testing';
import type { AdapterEvent, EventSink } from '../../src/association/types.js';
import { resolveHere } from '../../src/dataset/deferred-dicom-json.js';
import { encodeEnvelope } from '../../src/sinks/envelope-encoder.js';
import { createKafkaSink, type KafkaSink } from '../../src/sinks/kafka-sink.js';
import { writeInstance } from '../support/instances.js';
import { startTestServer, type TestServer, testLog, waitFor } from '../support/server.js';

const node = { id: 'test-node', hostname: os.hostname(), version: '0.1.0', mode: 'scp' as const };

/** Keeps the events as the association emitted them (deferred headers and all). */
class KeepingSink implements EventSink {
  readonly acceptsDeferred = true;
  readonly events: AdapterEvent[] = [];
  wants(): boolean {
    return true;
  }
  write(event: AdapterEvent): void {
    this.events.push(event);
  }
  async close(): Promise<void> {}
}

const sinks: { topic: string; sink: KafkaSink }[] = [];
let kept: KeepingSink;
let s: TestServer;
let dir: string;

before(async () => {
  const brokers = await kafkaBrokers();
  for (const producerThread of [true, false]) {
    const topic = uniqueTopic(producerThread ? 'envelope-thread' : 'envelope-here');
    const sink = createKafkaSink({
      brokers,
      topic,
      partitions: 1,
      replication: 1,
      node,
      log: testLog,
      producerThread,
    });
    assert.equal(await sink.connected(60_000), true, 'the publisher connects to the broker');
    sinks.push({ topic, sink });
  }
  kept = new KeepingSink();
  s = await startTestServer({ sinks: [kept, ...sinks.map((x) => x.sink)] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-kafka-envelope-'));
});
after(async () => {
  await s?.close();
  for (const { sink } of sinks) await sink.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const withoutId = (json: string): string =>
  json.replace(/^\{"schema":"[^"]*","id":"[0-9a-f-]{36}"/, '{"id":"-"');

test('records built in the envelope thread and on the DICOM thread equal the in-thread envelope of each event', async () => {
  for (let i = 0; i < 5; i++)
    writeInstance(path.join(dir, `img${i}.dcm`), { pixelBytes: 4096, privateTag: true });
  const store = await runDcmtk(
    'storescu',
    ['-aet', 'MODALITY1', '-aec', 'DICOMTRAIL', '+sd', '127.0.0.1', String(s.port), dir],
    { timeoutMs: 60_000 },
  );
  assert.equal(store.code, 0, store.stderr);
  await waitFor(
    () => kept.events.some((e) => e.type === 'EVT_CONN_CLOSE'),
    20_000,
    'the association to close',
  );
  const events = kept.events;
  assert.equal(events.filter((e) => e.type === 'EVT_C_STORE').length, 5);
  const expected = events.map((e) => {
    const r = encodeEnvelope(e, node, resolveHere);
    assert.ok(r.ok, `${e.type} seq ${e.seq} is schema-valid`);
    return withoutId(r.json);
  });
  const store0 = JSON.parse(expected[events.findIndex((e) => e.type === 'EVT_C_STORE')] ?? '{}') as {
    params: { dataset: Record<string, unknown> };
  };
  assert.ok(store0.params.dataset['00091001'], 'the C-STORE header is in the envelope, private tag and all');
  for (const { topic, sink } of sinks) {
    const records = await readTopic(topic, { until: (r) => r.length >= events.length, timeoutMs: 30_000 });
    assert.equal(records.length, events.length, `${topic}: one record per event`);
    const got = records
      .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))
      .map((r) => withoutId(r.value?.toString('utf8') ?? ''));
    assert.deepEqual(got, expected, `${topic}: the in-thread envelopes, in seq order`);
    assert.equal(sink.stats().invalid, 0);
  }
});
