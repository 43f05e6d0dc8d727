/**
 * The write-ahead log's answers (AUDIT_DURABILITY=sync), with a real log on disk and a producer in memory: an
 * answer waits for its own association's events only, one fdatasync serves every association whose events it
 * covers, the records reach the producer in log order, and an event that cannot be written fails its
 * association's answers (fail-closed) and no other's.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { EventProducer, EventRecord } from '@dicomtrail/event-log';
import { createLogger } from '@dicomtrail/runtime';
import type { AdapterEvent } from '../association/types.js';
import { Spool } from './spool.js';
import { WalSink, type WalSinkOptions } from './wal-sink.js';

const log = createLogger('wal-sink-test', { level: process.env['LOG_LEVEL'] ?? 'silent' });
const node = { id: 'test', hostname: 'test-host', version: '0.1.0', mode: 'scp' as const };

class MemoryProducer implements EventProducer {
  readonly records: EventRecord[] = [];
  async connect(): Promise<void> {}
  async send(records: readonly EventRecord[]): Promise<void> {
    this.records.push(...records);
  }
  async disconnect(): Promise<void> {}
}

function echoEvent(association: string, seq: number, pad = ''): AdapterEvent {
  return {
    type: 'EVT_C_ECHO',
    timestamp: '2026-12-07T22:00:00.000000Z',
    seq,
    messageId: 1,
    association: {
      id: association,
      role: 'acceptor',
      calling_ae_title: 'ECHOSCU',
      called_ae_title: 'DICOMTRAIL',
      local: { address: '127.0.0.1', port: 11112 },
      remote: { address: '127.0.0.1', port: 50000 + seq },
    },
    params: { message_id: 1, status: 0, pad },
  } as AdapterEvent;
}

async function walSink(
  t: TestContext,
  spoolOptions = {},
  sinkOptions: Partial<WalSinkOptions> = {},
): Promise<{ sink: WalSink; producer: MemoryProducer; spool: Spool }> {
  const dir = await mkdtemp(join(tmpdir(), 'dt-wal-sink-'));
  const spool = await Spool.open(dir, spoolOptions);
  const producer = new MemoryProducer();
  const sink = new WalSink({ producer, spool, node, log, lingerMs: 1, syncDelayMs: 10_000, ...sinkOptions });
  t.after(async () => {
    await sink.close();
    await spool.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { sink, producer, spool };
}

test('an answer waits for its own association only; one fdatasync covers every association written before it', async (t) => {
  const { sink, spool } = await walSink(t);
  assert.equal(sink.durable('a'), undefined, 'nothing written: nothing to wait for');
  sink.write(echoEvent('a', 0));
  sink.write(echoEvent('b', 0));
  assert.equal(spool.lastSeq, 0, 'queued in memory until an answer needs them');
  assert.equal(sink.durable('a'), undefined, 'durable on return: no promise, no thread hop');
  assert.equal(spool.syncedSeq, 2);
  assert.equal(sink.stats().breakdown.syncs, 1);
  // b's event was covered by a's sync: its answer needs none of its own.
  assert.equal(sink.durable('b'), undefined);
  sink.write(echoEvent('c', 0));
  // a's events are durable; c's later event is not a's to wait for.
  assert.equal(sink.durable('a'), undefined);
  const st = sink.stats();
  assert.equal(st.breakdown.syncs, 1);
  assert.equal(st.breakdown.waits, 4);
  assert.equal(st.breakdown.waits_synced, 1);
  assert.equal(st.unsynced, 1);
  assert.equal(sink.durable('c'), undefined);
  assert.equal(sink.stats().breakdown.syncs, 2);
  assert.equal(spool.syncedSeq, 3);
});

test('the publisher sends the records in log order, and the log is trimmed behind them', async (t) => {
  const { sink, producer, spool } = await walSink(t);
  sink.start();
  for (let i = 0; i < 50; i++) {
    sink.write(echoEvent(`assoc-${i % 3}`, i));
    if (i % 7 === 0) sink.durable(`assoc-${i % 3}`);
  }
  sink.durable('assoc-0');
  await sink.close();
  assert.deepEqual(
    producer.records.map((r) => (JSON.parse(r.value.toString('utf8')) as { seq: number }).seq),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.equal(spool.ackedSeq, 50);
});

test('an event the log cannot take fails its association (fail-closed), not the others', async (t) => {
  const { sink } = await walSink(t, { maxBytes: 4096, segmentBytes: 2048 });
  sink.write(echoEvent('ok', 0));
  assert.equal(sink.durable('ok'), undefined);
  sink.write(echoEvent('big', 0, 'x'.repeat(5000)));
  const p = sink.durable('big');
  assert.ok(p, 'a promise that rejects');
  await assert.rejects(p, (e: { code?: string }) => e.code === 'DT_ERR_AUDIT_NOT_DURABLE');
  sink.write(echoEvent('ok', 1));
  assert.equal(sink.durable('ok'), undefined);
  assert.equal(sink.stats().notRecorded, 1);
});

test('logged: what is queued is written to the log without a sync; the answer then needs one sync; a write that fails says false', async (t) => {
  const { sink, spool } = await walSink(t, { maxBytes: 4096, segmentBytes: 2048 });
  sink.write(echoEvent('a', 0));
  sink.write(echoEvent('b', 0));
  assert.equal(spool.lastSeq, 0, 'queued in memory');
  assert.equal(sink.logged('a'), true);
  assert.equal(spool.lastSeq, 2, 'written to the log (it survives the death of the process)');
  assert.equal(spool.syncedSeq, 0, 'not synced');
  assert.equal(sink.stats().breakdown.syncs, 0);
  assert.equal(sink.stats().breakdown.logged, 1);
  sink.write(echoEvent('a', 1));
  assert.equal(sink.durable('a'), undefined);
  assert.equal(spool.syncedSeq, 3, 'one sync covers what was logged and what came after');
  assert.equal(sink.stats().breakdown.syncs, 1);
  sink.write(echoEvent('big', 0, 'x'.repeat(5000)));
  assert.equal(sink.logged('big'), false, 'an event that could not be written');
  assert.equal(sink.logged('a'), true, 'not the others');
});

test('writes during the linger do not wake the publisher: one batch, one wake-up; a full batch wakes it at once', async (t) => {
  const { sink, producer } = await walSink(t, {}, { lingerMs: 300, batchMax: 50 });
  sink.start();
  assert.equal(await sink.connected(2000), true);
  const sent = async (n: number): Promise<void> => {
    const t0 = Date.now();
    while (producer.records.length < n && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
  };
  // The first write wakes the idle publisher; the 19 after it, written while it lingers, do not.
  for (let i = 0; i < 20; i++) {
    sink.write(echoEvent('a', i));
    sink.logged('a');
    await new Promise((r) => setTimeout(r, 2));
  }
  await sent(20);
  assert.equal(producer.records.length, 20);
  assert.equal(sink.stats().publisherWakeups, 1);
  // A write wakes it again; the 50th record in memory (a batch), written while it lingers, wakes it before
  // the linger ends.
  const t0 = performance.now();
  sink.write(echoEvent('a', 20));
  sink.logged('a');
  await new Promise((r) => setTimeout(r, 20));
  for (let i = 21; i < 70; i++) {
    sink.write(echoEvent('a', i));
    sink.logged('a');
  }
  await sent(70);
  assert.ok(performance.now() - t0 < 250, 'sent before the linger ends');
  assert.equal(sink.stats().publisherWakeups, 3);
});
