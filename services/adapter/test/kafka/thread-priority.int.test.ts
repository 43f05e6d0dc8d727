/**
 * The publisher's worker threads run below the DICOM thread's priority (KAFKA_THREAD_NICE): a Kafka sink
 * connected to the real broker has exactly two threads (the envelope thread and the producer thread) at the nice
 * value asked for, as the kernel reports it in /proc, while this (the DICOM) thread keeps its own; and the niced
 * threads still publish (a storescu run arrives complete).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { currentThreadId, threadNice } from '@dicomtrail/runtime';
import { kafkaBrokers, readTopic, runDcmtk, uniqueTopic } from '@dicomtrail/testing';
import { createKafkaSink, type KafkaSink } from '../../src/sinks/kafka-sink.js';
import { writeInstance } from '../support/instances.js';
import { startTestServer, type TestServer, testLog } from '../support/server.js';

const node = { id: 'test-node', hostname: os.hostname(), version: '0.1.0', mode: 'scp' as const };
const NICE = 7;

/** Every thread of this process with its nice value as the kernel reports it. */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task').map(Number)) {
    const nice = threadNice(tid); // undefined: the thread ended meanwhile
    if (nice !== undefined) out.set(tid, nice);
  }
  return out;
}

let sink: KafkaSink;
let topic: string;
let s: TestServer;
let dir: string;
const niceBefore = new Set([...threadNices()].filter(([, n]) => n === NICE).map(([tid]) => tid));

before(async () => {
  topic = uniqueTopic('thread-nice');
  sink = createKafkaSink({
    brokers: await kafkaBrokers(),
    topic,
    partitions: 1,
    replication: 1,
    node,
    log: testLog,
    threadNice: NICE,
  });
  assert.equal(await sink.connected(60_000), true, 'the publisher connects to the broker');
  s = await startTestServer({ sinks: [sink] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-thread-nice-'));
});
after(async () => {
  await s?.close();
  await sink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the envelope and producer threads run at KAFKA_THREAD_NICE, the DICOM thread at its own priority', async () => {
  // The envelope thread lowers itself when it starts; give it a moment after connecting.
  let niced: number[] = [];
  for (let i = 0; i < 50 && niced.length < 2; i++) {
    niced = [...threadNices()].filter(([tid, n]) => n === NICE && !niceBefore.has(tid)).map(([tid]) => tid);
    if (niced.length < 2) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(niced.length, 2, `threads at nice ${NICE}: ${JSON.stringify([...threadNices()])}`);
  assert.equal(threadNices().get(currentThreadId()!), os.getPriority());
  assert.notEqual(os.getPriority(), NICE);

  for (let i = 0; i < 3; i++) writeInstance(path.join(dir, `img${i}.dcm`), { pixelBytes: 2048 });
  const store = await runDcmtk(
    'storescu',
    ['-aet', 'MODALITY1', '-aec', 'DICOMTRAIL', '+sd', '127.0.0.1', String(s.port), dir],
    { timeoutMs: 60_000 },
  );
  assert.equal(store.code, 0, store.stderr);
  const records = await readTopic(topic, {
    until: (r) => r.some((x) => x.headers['type'] === 'EVT_CONN_CLOSE'),
    timeoutMs: 30_000,
  });
  const stores = records.filter((r) => r.headers['type'] === 'EVT_C_STORE');
  assert.equal(stores.length, 3);
});
