/**
 * Kafka outage in the middle of a storescu run (a private broker this test starts, stops and starts again):
 * every C-STORE succeeds while the broker is gone (events go to the durable spool), and once it is back the
 * spool is replayed: every event the SCP emitted arrives in Kafka exactly once per id, in seq order per
 * association (compared with the in-process CollectingSink by association, seq and type).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type ConsumedRecord, readTopic } from '@dicomtrail/testing';
import { createKafkaSink, type KafkaSink } from '../../src/sinks/kafka-sink.js';
import { Spool } from '../../src/sinks/spool.js';
import { writeInstance } from '../support/instances.js';
import { PrivateBroker } from '../support/private-broker.js';
import { CollectingSink, startTestServer, type TestServer, testLog, waitFor } from '../support/server.js';

const TOPIC = 'dicomtrail.events.v1';
const N = 500;
let broker: PrivateBroker;
let spoolDir: string;
let spool: Spool;
let kafkaSink: KafkaSink;
let collected: CollectingSink;
let s: TestServer;
let dir: string;

before(async () => {
  broker = await PrivateBroker.create();
  await broker.start();
  spoolDir = mkdtempSync(path.join(os.tmpdir(), 'dt-spool-outage-'));
  spool = await Spool.open(spoolDir);
  kafkaSink = createKafkaSink({
    brokers: broker.brokers,
    topic: TOPIC,
    partitions: 3,
    replication: 1,
    node: { id: 'test-node', hostname: os.hostname(), version: '0.1.0', mode: 'scp' },
    log: testLog,
    spool,
    spoolThreshold: 200,
    // Notice the broker's return within a second.
    maxBackoffMs: 1000,
    closeTimeoutMs: 1000,
  });
  assert.equal(await kafkaSink.connected(60_000), true, 'the publisher connects to the private broker');
  collected = new CollectingSink();
  s = await startTestServer({ sinks: [collected, kafkaSink] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-outage-'));
});
after(async () => {
  await s?.close();
  await kafkaSink?.close();
  await spool?.close();
  await broker?.destroy();
  for (const d of [dir, spoolDir]) if (d) rmSync(d, { recursive: true, force: true });
});

function cStores(): number {
  return collected.events.filter((e) => e.type === 'EVT_C_STORE').length;
}

test('broker stopped mid-run: every C-STORE succeeds, then every event arrives once and in order', async () => {
  for (let i = 0; i < N; i++)
    writeInstance(path.join(dir, `img${String(i).padStart(3, '0')}.dcm`), { pixelBytes: 256 });
  const child = spawn(
    'storescu',
    ['-aet', 'MODALITY1', '-aec', 'DICOMTRAIL', '+sd', '127.0.0.1', String(s.port), dir],
    { env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Some instances in: hold storescu where it is, stop the broker, let storescu go on without it.
  await waitFor(() => cStores() >= 50, 30_000, '50 C-STOREs');
  child.kill('SIGSTOP');
  const before = cStores();
  await broker.stop();
  child.kill('SIGCONT');
  const code = await exited;
  assert.equal(code, 0, stderr);
  assert.ok(before < N, `the broker went away in the middle of the run (${before} of ${N} stored before)`);
  assert.equal(cStores(), N, 'every C-STORE was answered');
  await waitFor(() => kafkaSink.mode !== 'direct', 20_000, 'the publisher to spool');
  await waitFor(
    () => collected.events.some((e) => e.type === 'EVT_CONN_CLOSE') && kafkaSink.stats().spoolPending === 0,
    10_000,
    'the association to end and its events to be spooled',
  );
  assert.ok(kafkaSink.stats().spooled > 0, 'events were spooled while the broker was down');

  await broker.start();
  await waitFor(() => kafkaSink.mode === 'direct', 40_000, 'the spool to drain').catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(kafkaSink.stats())}, spool records ${spool.records}`);
  });
  const expected = collected.events;
  const records = await readTopic(TOPIC, {
    brokers: broker.brokers,
    until: (r) => r.length >= expected.length,
    timeoutMs: 30_000,
  });

  const ids = new Set<string>();
  const got = new Map<string, string>();
  for (const r of records) {
    const ev = JSON.parse(r.value?.toString('utf8') ?? '{}') as {
      id: string;
      type: string;
      seq: number;
      association: { id: string };
    };
    assert.ok(!ids.has(ev.id), `id ${ev.id} (${ev.type} seq ${ev.seq}) arrived once`);
    ids.add(ev.id);
    got.set(`${ev.association.id}/${ev.seq}`, ev.type);
  }
  assert.equal(records.length, expected.length, 'as many records as events');
  for (const e of expected)
    assert.equal(got.get(`${e.association.id}/${e.seq}`), e.type, `${e.type} seq ${e.seq}`);
  for (const id of collected.associationIds()) {
    const mine = records
      .filter((r: ConsumedRecord) => r.key === id)
      .sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    assert.equal(new Set(mine.map((r) => r.partition)).size, 1, 'one partition per association');
    const seqs = mine.map((r) => (JSON.parse(r.value?.toString('utf8') ?? '{}') as { seq: number }).seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: collected.of(id).length }, (_, i) => i),
      `association ${id} in seq order`,
    );
  }
  const st = kafkaSink.stats();
  assert.equal(st.dropped, 0);
  assert.equal(st.spoolFailed, 0);
  assert.ok(st.replayed > 0, 'the spool was replayed');
  assert.equal(spool.records, 0, 'the spool is empty once replayed');
});
