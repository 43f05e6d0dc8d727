/** KafkaSink with a durable spool, against a producer in memory: order, exactly once, start-up replay. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { EventProducer, EventRecord } from '@dicomtrail/event-log';
import { createLogger } from '@dicomtrail/runtime';
import type { AdapterEvent } from '../association/types.js';
import { KafkaSink } from './kafka-sink.js';
import { Spool } from './spool.js';

const log = createLogger('kafka-sink-spool-test', { level: process.env['LOG_LEVEL'] ?? 'silent' });
const node = { id: 'test', hostname: 'test-host', version: '0.1.0', mode: 'scp' as const };
const ASSOC = '0193a8c2-5f10-7a3e-9c41-2b7d0e6f4a11';

function connOpen(seq: number): AdapterEvent {
  return {
    type: 'EVT_CONN_OPEN',
    timestamp: '2026-11-25T11:09:59.123456Z',
    seq,
    association: {
      id: ASSOC,
      role: 'acceptor',
      calling_ae_title: '',
      called_ae_title: '',
      local: { address: '127.0.0.1', port: 11112 },
      remote: { address: '127.0.0.1', port: 50412 },
    },
    params: { address: { address: '127.0.0.1', port: 50412 } },
  };
}

class FakeProducer implements EventProducer {
  readonly batches: EventRecord[][] = [];
  failSend = false;
  async connect(): Promise<void> {}
  async send(records: readonly EventRecord[]): Promise<void> {
    await new Promise((r) => setTimeout(r, 1));
    if (this.failSend) throw new Error('broker unreachable');
    this.batches.push([...records]);
  }
  async disconnect(): Promise<void> {}
  seqs(): number[] {
    return this.batches.flat().map((r) => (JSON.parse(r.value.toString('utf8')) as { seq: number }).seq);
  }
}

async function until(pred: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('KafkaSink with a spool', () => {
  it('spools while sends fail, replays in order before newer events, then goes direct', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-sink-spool-'));
    const spool = await Spool.open(dir);
    try {
      const producer = new FakeProducer();
      producer.failSend = true;
      const sink = new KafkaSink({
        producer,
        node,
        log,
        spool,
        lingerMs: 1,
        backoffMs: 5,
        maxBackoffMs: 20,
      }).start();
      for (let i = 0; i < 10; i++) sink.write(connOpen(i));
      await until(() => sink.mode === 'spooling', 'spooling');
      for (let i = 10; i < 50; i++) sink.write(connOpen(i));
      await sink.spoolSettled();
      assert.ok(sink.stats().spooled >= 40, 'events went to the spool');
      producer.failSend = false;
      for (let i = 50; i < 60; i++) sink.write(connOpen(i));
      await until(() => sink.mode === 'direct', 'the spool to drain');
      for (let i = 60; i < 70; i++) sink.write(connOpen(i));
      await sink.close();
      assert.deepEqual(
        producer.seqs(),
        Array.from({ length: 70 }, (_, i) => i),
        'every event once, in order',
      );
      const st = sink.stats();
      assert.equal(st.dropped + st.spoolFailed, 0);
      assert.ok(st.replayed > 0);
      assert.equal(spool.records, 0, 'everything acknowledged');
    } finally {
      await spool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replays what an earlier run left in the spool before anything newer', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-sink-spool-'));
    try {
      // An earlier run: broker away the whole time, closed with everything spooled.
      let spool = await Spool.open(dir);
      const down = new FakeProducer();
      down.failSend = true;
      const first = new KafkaSink({
        producer: down,
        node,
        log,
        spool,
        lingerMs: 1,
        backoffMs: 5,
        closeTimeoutMs: 50,
      }).start();
      for (let i = 0; i < 20; i++) first.write(connOpen(i));
      await first.close();
      await spool.close();

      spool = await Spool.open(dir);
      assert.equal(spool.records, 20);
      const producer = new FakeProducer();
      const sink = new KafkaSink({ producer, node, log, spool, lingerMs: 1 });
      assert.equal(sink.mode, 'draining');
      for (let i = 20; i < 25; i++) sink.write(connOpen(i));
      sink.start();
      await until(() => sink.mode === 'direct', 'the spool to drain');
      await sink.close();
      assert.deepEqual(
        producer.seqs(),
        Array.from({ length: 25 }, (_, i) => i),
      );
      assert.equal(spool.records, 0);
      await spool.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
