/**
 * The node lifecycle through the write-ahead log (AUDIT_DURABILITY=sync's sink), with the real broker: the
 * adapter's EVT_NODE_STARTED, an association's events, then EVT_NODE_STOPPED reach the topic in the order they
 * were written, the node events keyed by the node id, each once; the log is trimmed behind them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { kafkaBrokers, readTopic, uniqueTopic } from '@dicomtrail/testing';
import type { AdapterEvent } from '../../src/association/types.js';
import { utcTimestamp } from '../../src/events/clock.js';
import { nodeStarted, nodeStopped, startRun } from '../../src/events/node-lifecycle.js';
import { createWalSink } from '../../src/sinks/create-wal-sink.js';
import { Spool } from '../../src/sinks/spool.js';
import { testLog } from '../support/server.js';

const NODE = {
  id: `node-events-${process.pid}`,
  hostname: 'localhost',
  version: '0.0.0',
  mode: 'scp' as const,
};

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-node-events-'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('EVT_NODE_STARTED and EVT_NODE_STOPPED go through the log to Kafka, in order with the events between', async () => {
  const topic = uniqueTopic('nodeevents');
  const spool = await Spool.open(path.join(dir, 'wal'), { maxBytes: 64 * 1024 * 1024 });
  const sink = createWalSink({
    spool,
    failOpen: false,
    brokers: await kafkaBrokers(),
    topic,
    partitions: 1,
    replication: 1,
    node: NODE,
    log: testLog,
  });
  await sink.recover();
  sink.start();
  const run = startRun(NODE, 'DICOMTRAIL', { address: '127.0.0.1', port: 11112 });
  sink.writeNodeEvent(nodeStarted(run));
  const association = {
    id: crypto.randomUUID(),
    role: 'acceptor' as const,
    calling_ae_title: 'STORESCU',
    called_ae_title: 'DICOMTRAIL',
    local: { address: '127.0.0.1', port: 11112 },
    remote: { address: '127.0.0.1', port: 40000 },
  };
  const event: AdapterEvent = {
    type: 'EVT_INVALID_PDU',
    timestamp: utcTimestamp(),
    seq: 0,
    association,
    params: { code: 'DT_ERR_TEST', message: 'between the node events' },
  };
  sink.write(event);
  await sink.durable(association.id);
  sink.writeNodeEvent(nodeStopped(run, 'SIGTERM'));
  await sink.close();
  await spool.close();

  const records = await readTopic(topic, { until: (r) => r.length >= 3, timeoutMs: 30_000 });
  const types = records.map((r) => r.headers['type']);
  assert.deepEqual(types, ['EVT_NODE_STARTED', 'EVT_INVALID_PDU', 'EVT_NODE_STOPPED']);
  assert.equal(records[0]?.key, NODE.id);
  assert.equal(records[2]?.key, NODE.id);
  assert.equal(records[1]?.key, association.id);
  const stopped = JSON.parse(records[2]?.value?.toString('utf8') ?? '{}') as { params: { reason: string } };
  assert.equal(stopped.params.reason, 'SIGTERM');
  const reopened = await Spool.open(path.join(dir, 'wal'), { maxBytes: 64 * 1024 * 1024 });
  assert.equal(reopened.ackedSeq, reopened.lastSeq, 'the log is trimmed behind what Kafka took');
  await reopened.close();
});
