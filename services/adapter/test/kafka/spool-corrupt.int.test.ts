/**
 * A corrupted spool segment: events of a storescu run are spooled while Kafka is unreachable, bytes in the
 * middle of the segment are flipped, then the spool is opened again behind a publisher that reaches the
 * broker. The damaged record(s) are reported (onCorrupt, counter) and skipped; every other event arrives in
 * Kafka, in seq order per association; the publisher goes back to direct.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, kafkaBrokers, readTopic, runDcmtk, uniqueTopic } from '@dicomtrail/testing';
import { createKafkaSink } from '../../src/sinks/kafka-sink.js';
import { Spool, type SpoolCorruption } from '../../src/sinks/spool.js';
import { writeInstance } from '../support/instances.js';
import { CollectingSink, startTestServer, testLog, waitFor } from '../support/server.js';

const node = { id: 'test-node', hostname: os.hostname(), version: '0.1.0', mode: 'scp' as const };
const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'dt-spool-corrupt-'));
const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-corrupt-'));
after(() => {
  for (const d of [dir, spoolDir]) rmSync(d, { recursive: true, force: true });
});

test('a corrupted spool segment is reported, the rest replayed in order', async () => {
  // 1. Kafka unreachable: everything goes to the spool.
  const topic = uniqueTopic('spool-corrupt');
  let spool = await Spool.open(spoolDir);
  const down = createKafkaSink({
    brokers: [`127.0.0.1:${await freePort()}`],
    topic,
    partitions: 1,
    replication: 1,
    node,
    log: testLog,
    spool,
    closeTimeoutMs: 300,
  });
  const collected = new CollectingSink();
  const s = await startTestServer({ sinks: [collected, down] });
  for (let i = 0; i < 20; i++) writeInstance(path.join(dir, `img${i}.dcm`), { pixelBytes: 256 });
  const store = await runDcmtk('storescu', [
    '-aet',
    'MODALITY1',
    '-aec',
    'DICOMTRAIL',
    '+sd',
    '127.0.0.1',
    String(s.port),
    dir,
  ]);
  assert.equal(store.code, 0, store.stderr);
  await waitFor(
    () => collected.events.some((e) => e.type === 'EVT_CONN_CLOSE'),
    5000,
    'the association to end',
  );
  await s.close();
  await down.close();
  await spool.close();
  const expected = collected.events;
  assert.equal(down.stats().spooled, expected.length, 'every event spooled');

  // 2. Flip bytes in the middle of the (only) segment.
  const segs = readdirSync(spoolDir).filter((f) => f.endsWith('.seg'));
  assert.equal(segs.length, 1);
  const segPath = path.join(spoolDir, segs[0] as string);
  const bytes = readFileSync(segPath);
  const at = Math.floor(bytes.length / 2);
  for (let i = 0; i < 8; i++) bytes[at + i] = (bytes[at + i] as number) ^ 0xff;
  writeFileSync(segPath, bytes);

  // 3. Reopen behind a publisher that reaches the broker: reported, the rest replayed.
  const reports: SpoolCorruption[] = [];
  spool = await Spool.open(spoolDir, { onCorrupt: (c) => reports.push(c) });
  const up = createKafkaSink({
    brokers: await kafkaBrokers(),
    topic,
    partitions: 1,
    replication: 1,
    node,
    log: testLog,
    spool,
  });
  try {
    assert.equal(up.mode, 'draining', 'a spool with records is drained first');
    await waitFor(() => up.mode === 'direct', 60_000, 'the spool to drain');
    assert.ok(reports.length >= 1, 'the corruption was reported');
    assert.equal(spool.corruptRecords, reports.length);
    const st = up.stats();
    const records = await readTopic(topic, { until: (r) => r.length >= st.replayed, timeoutMs: 30_000 });
    assert.equal(records.length, st.replayed);
    const lost = expected.length - records.length;
    assert.ok(lost >= 1 && lost <= 3, `the damaged record(s) only were skipped (${lost})`);
    const seqs = records.map((r) => (JSON.parse(r.value?.toString('utf8') ?? '{}') as { seq: number }).seq);
    for (let i = 1; i < seqs.length; i++)
      assert.ok((seqs[i] as number) > (seqs[i - 1] as number), 'in seq order');
    assert.equal(spool.records, 0, 'the watermark moved past everything');
  } finally {
    await up.close();
    await spool.close();
  }
});
