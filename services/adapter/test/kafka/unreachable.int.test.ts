/**
 * Kafka unreachable (a closed port): the DICOM side does not notice. `write` never throws or blocks, echoscu
 * and storescu succeed, the in-memory queue stops at its cap and counts what it drops, the publisher reports
 * itself degraded, and close returns within its bound.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, runDcmtk } from '@dicomtrail/testing';
import type { AdapterEvent, EventSink } from '../../src/association/types.js';
import { createKafkaSink, type KafkaSink } from '../../src/sinks/kafka-sink.js';
import { writeInstance } from '../support/instances.js';
import { startTestServer, type TestServer, testLog, waitFor } from '../support/server.js';

/** Wraps the sink to measure how long each `write` takes on the DICOM side and whether it threw. */
class TimedSink implements EventSink {
  maxWriteMs = 0;
  writes = 0;
  threw = 0;
  constructor(readonly inner: KafkaSink) {}
  wants(type: AdapterEvent['type']): boolean {
    return this.inner.wants(type);
  }
  write(event: AdapterEvent): void {
    const t0 = performance.now();
    try {
      this.inner.write(event);
    } catch {
      this.threw += 1;
    }
    this.writes += 1;
    this.maxWriteMs = Math.max(this.maxWriteMs, performance.now() - t0);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

let kafkaSink: KafkaSink;
let timed: TimedSink;
let s: TestServer;
let dir: string;
const MAX_QUEUE = 25;

before(async () => {
  const port = await freePort();
  kafkaSink = createKafkaSink({
    brokers: [`127.0.0.1:${port}`],
    topic: 'dicomtrail.events.v1',
    partitions: 1,
    replication: 1,
    node: { id: 'test-node', hostname: os.hostname(), version: '0.1.0', mode: 'scp' },
    log: testLog,
    maxQueue: MAX_QUEUE,
    closeTimeoutMs: 500,
  });
  timed = new TimedSink(kafkaSink);
  s = await startTestServer({ sinks: [timed] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-kafka-down-'));
});
after(async () => {
  await s?.close();
  await kafkaSink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('broker unreachable: C-ECHO and C-STOREs succeed, writes never block, the queue cap counts drops', async () => {
  const echo = await runDcmtk(
    'echoscu',
    ['-aet', 'MODALITY1', '-aec', 'DICOMTRAIL', '127.0.0.1', String(s.port)],
    {
      timeoutMs: 15_000,
    },
  );
  assert.equal(echo.code, 0, echo.stderr);
  for (let i = 0; i < 5; i++) writeInstance(path.join(dir, `img${i}.dcm`), { pixelBytes: 1024 });
  const store = await runDcmtk(
    'storescu',
    ['-aet', 'MODALITY1', '-aec', 'DICOMTRAIL', '+sd', '127.0.0.1', String(s.port), dir],
    { timeoutMs: 15_000 },
  );
  assert.equal(store.code, 0, store.stderr);
  assert.ok(
    echo.ms < 5000 && store.ms < 10_000,
    `dcmtk did not wait on Kafka (${echo.ms} ms, ${store.ms} ms)`,
  );

  await waitFor(() => kafkaSink.state === 'degraded', 10_000, 'the publisher to report degraded');
  // Envelopes are built in the envelope thread: every event written has come back as a record.
  await waitFor(() => kafkaSink.stats().encoding === 0, 5_000, 'the envelope thread to answer');
  const stats = kafkaSink.stats();
  assert.equal(timed.threw, 0, 'write never throws');
  assert.ok(timed.maxWriteMs < 50, `write returns at once (slowest ${timed.maxWriteMs.toFixed(2)} ms)`);
  assert.equal(stats.produced, 0);
  assert.equal(stats.queued, MAX_QUEUE, 'the queue stops at its cap');
  assert.ok(timed.writes > MAX_QUEUE, `more events (${timed.writes}) than the cap`);
  assert.equal(stats.dropped, timed.writes - MAX_QUEUE, 'every event beyond the cap is counted as dropped');
  assert.equal(stats.invalid, 0);

  const t0 = performance.now();
  await kafkaSink.close();
  assert.ok(performance.now() - t0 < 5000, 'close is bounded');
  const end = kafkaSink.stats();
  assert.equal(end.dropped + end.produced, timed.writes, 'at close, what was queued is counted as dropped');
  assert.equal(end.state, 'closed');
});
