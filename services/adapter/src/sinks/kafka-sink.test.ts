import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventProducer, EventRecord } from '@dicomtrail/event-log';
import { createLogger } from '@dicomtrail/runtime';
import { parseEvent } from '@dicomtrail/schemas';
import type { AdapterEvent } from '../association/types.js';
import { KafkaSink } from './kafka-sink.js';

const log = createLogger('kafka-sink-test', { level: process.env['LOG_LEVEL'] ?? 'silent' });
const node = { id: 'test', hostname: 'test-host', version: '0.1.0', mode: 'scp' as const };

function connOpen(seq: number, associationId = '0193a8c2-5f10-7a3e-9c41-2b7d0e6f4a11'): AdapterEvent {
  return {
    type: 'EVT_CONN_OPEN',
    timestamp: '2026-11-25T11:09:59.123456Z',
    seq,
    association: {
      id: associationId,
      role: 'acceptor',
      calling_ae_title: '',
      called_ae_title: '',
      local: { address: '127.0.0.1', port: 11112 },
      remote: { address: '127.0.0.1', port: 50412 },
    },
    params: { address: { address: '127.0.0.1', port: 50412 } },
  };
}

/** A producer in memory: records what it was sent; `fail` makes sends (or connect) reject. */
class FakeProducer implements EventProducer {
  readonly batches: EventRecord[][] = [];
  failSend = false;
  failConnect = false;
  connects = 0;
  async connect(): Promise<void> {
    this.connects += 1;
    if (this.failConnect) throw new Error('connect ECONNREFUSED');
  }
  async send(records: readonly EventRecord[]): Promise<void> {
    if (this.failSend) throw new Error('broker unreachable');
    this.batches.push([...records]);
  }
  async disconnect(): Promise<void> {}
  get records(): EventRecord[] {
    return this.batches.flat();
  }
}

describe('KafkaSink', () => {
  it('queues a valid envelope keyed by association id with type and schema headers', async () => {
    const producer = new FakeProducer();
    const sink = new KafkaSink({ producer, node, log, lingerMs: 1 }).start();
    sink.write(connOpen(0));
    sink.write(connOpen(1));
    await sink.close();
    assert.equal(producer.records.length, 2);
    for (const [i, r] of producer.records.entries()) {
      assert.equal(r.key, '0193a8c2-5f10-7a3e-9c41-2b7d0e6f4a11');
      assert.deepEqual(r.headers, { type: 'EVT_CONN_OPEN', schema: 'dicomtrail.event/1' });
      const parsed = parseEvent(JSON.parse(r.value.toString('utf8')));
      assert.ok(parsed.ok);
      assert.equal(parsed.event.seq, i);
    }
    const stats = sink.stats();
    assert.equal(stats.produced, 2);
    assert.equal(stats.invalid, 0);
    assert.equal(stats.queued, 0);
    assert.equal(stats.state, 'closed');
    assert.equal(typeof stats.lastBatchMs, 'number');
  });

  it('sends envelopes without checking their shape; one JSON cannot carry is not sent, and counted', async () => {
    const producer = new FakeProducer();
    const sink = new KafkaSink({ producer, node, log, lingerMs: 1 }).start();
    const odd = connOpen(0);
    odd.timestamp = 'yesterday';
    sink.write(odd);
    const broken = connOpen(1);
    broken.params = { size: 1n };
    sink.write(broken);
    sink.write(connOpen(2));
    await sink.close();
    assert.equal(sink.stats().invalid, 1);
    assert.deepEqual(
      producer.records.map((r) => JSON.parse(r.value.toString('utf8')).seq),
      [0, 2],
    );
  });

  it('publishes only the configured types (empty = all)', () => {
    const producer = new FakeProducer();
    assert.equal(new KafkaSink({ producer, node, log, types: [] }).wants('EVT_PDU_RECV'), true);
    const some = new KafkaSink({ producer, node, log, types: ['EVT_C_STORE'] });
    assert.equal(some.wants('EVT_C_STORE'), true);
    assert.equal(some.wants('EVT_PDU_RECV'), false);
  });

  it('sends in write order, in batches of at most batchMax', async () => {
    const producer = new FakeProducer();
    const sink = new KafkaSink({ producer, node, log, batchMax: 7, lingerMs: 0 }).start();
    for (let i = 0; i < 50; i++) sink.write(connOpen(i));
    await sink.close();
    assert.ok(producer.batches.every((b) => b.length <= 7));
    assert.deepEqual(
      producer.records.map((r) => JSON.parse(r.value.toString('utf8')).seq),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it('keeps a failed batch and sends it again when the broker answers', async () => {
    const producer = new FakeProducer();
    producer.failSend = true;
    const sink = new KafkaSink({ producer, node, log, lingerMs: 0, backoffMs: 5, maxBackoffMs: 10 }).start();
    for (let i = 0; i < 5; i++) sink.write(connOpen(i));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sink.state, 'degraded');
    assert.ok(sink.stats().failed > 0);
    assert.equal(sink.stats().queued, 5);
    producer.failSend = false;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sink.state, 'connected');
    await sink.close();
    assert.deepEqual(
      producer.records.map((r) => JSON.parse(r.value.toString('utf8')).seq),
      [0, 1, 2, 3, 4],
    );
    assert.equal(sink.stats().dropped, 0);
  });

  it('beyond maxQueue hands records to onUndeliverable, and what is unsent at close', async () => {
    const producer = new FakeProducer();
    producer.failConnect = true;
    const handed: { n: number; reason: string }[] = [];
    const sink = new KafkaSink({
      producer,
      node,
      log,
      maxQueue: 3,
      closeTimeoutMs: 50,
      backoffMs: 5,
      onUndeliverable: (records, reason) => handed.push({ n: records.length, reason }),
    }).start();
    for (let i = 0; i < 10; i++) sink.write(connOpen(i));
    assert.equal(sink.stats().queued, 3);
    await sink.close();
    assert.deepEqual(handed.filter((h) => h.reason === 'overflow').length, 7);
    assert.deepEqual(
      handed.find((h) => h.reason === 'shutdown'),
      { n: 3, reason: 'shutdown' },
    );
    const stats = sink.stats();
    assert.equal(stats.handedOff, 10);
    assert.equal(stats.dropped, 0);
    assert.equal(stats.produced, 0);
  });

  it('without onUndeliverable counts overflow as dropped; write never throws', async () => {
    const producer = new FakeProducer();
    producer.failConnect = true;
    const sink = new KafkaSink({
      producer,
      node,
      log,
      maxQueue: 2,
      closeTimeoutMs: 20,
      backoffMs: 5,
    }).start();
    for (let i = 0; i < 5; i++) sink.write(connOpen(i));
    assert.equal(sink.stats().dropped, 3);
    await sink.close();
    assert.equal(sink.stats().dropped, 5);
    sink.write(connOpen(5));
    assert.equal(sink.stats().dropped, 6);
  });
});
