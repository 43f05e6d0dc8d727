/**
 * The adapter CLI killed (SIGKILL) while spooling: a private broker is down, storescu traffic flows, the
 * adapter is killed mid-run; every record durable in the spool (a superset of what was acknowledged to it,
 * as /metrics counted just before the kill) arrives in Kafka once the adapter is restarted with the broker up.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, readTopic } from '@dicomtrail/testing';
import { Spool } from '../../src/sinks/spool.js';
import { writeInstance } from '../support/instances.js';
import { PrivateBroker } from '../support/private-broker.js';
import { waitFor } from '../support/server.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli.js');
let broker: PrivateBroker;
let dir: string;
const children: ChildProcess[] = [];

before(async () => {
  broker = await PrivateBroker.create();
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-crash-'));
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await broker?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startAdapter(): Promise<{
  proc: ChildProcess;
  port: number;
  health: number;
  out: () => string;
}> {
  const port = await freePort();
  const health = await freePort();
  const proc = spawn(
    process.execPath,
    [CLI, 'adapter', '--port', String(port), '--store-dir', path.join(dir, 'store')],
    {
      env: {
        ...process.env,
        LOG_LEVEL: 'info',
        KAFKA_BROKERS: broker.brokers.join(','),
        EVENTS_TOPIC_PARTITIONS: '1',
        SPOOL_DIR: path.join(dir, 'spool'),
        // The spool of AUDIT_DURABILITY=async: written only while Kafka is away (test/durability/ for sync).
        AUDIT_DURABILITY: 'async',
        HEALTH_PORT: String(health),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(proc);
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => out.includes('adapter ready'), 15_000, 'adapter ready');
  return { proc, port, health, out: () => out };
}

async function metrics(port: number): Promise<{ state: string; kafka: Record<string, number> }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return (await res.json()) as { state: string; kafka: Record<string, number> };
}

test('SIGKILL while spooling: nothing acknowledged to the spool is lost after restart', async () => {
  mkdirSync(path.join(dir, 'in'));
  for (let i = 0; i < 300; i++) writeInstance(path.join(dir, 'in', `img${i}.dcm`), { pixelBytes: 256 });
  const a = await startAdapter();
  const store = spawn(
    'storescu',
    ['-aec', 'DICOMTRAIL', '+sd', '127.0.0.1', String(a.port), path.join(dir, 'in')],
    {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: 'ignore',
    },
  );
  children.push(store);
  let acked = 0;
  let state = '';
  const t0 = Date.now();
  while (acked < 300 && Date.now() - t0 < 30_000) {
    const m = await metrics(a.health);
    acked = m.kafka['spooled'] ?? 0;
    state = m.state;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(state, 'spooling', 'the adapter was spooling');
  a.proc.kill('SIGKILL');
  await new Promise((r) => a.proc.once('exit', r));
  store.kill('SIGKILL');
  assert.ok(acked >= 300, `events acknowledged to the spool before the kill (${acked})`);

  // What the spool holds (durable; at least what was acknowledged).
  const spool = await Spool.open(path.join(dir, 'spool'));
  const ids = new Set<string>();
  for await (const r of spool.replay())
    ids.add((JSON.parse(r.payload.toString('utf8')) as { id: string }).id);
  await spool.close();
  assert.ok(ids.size >= acked, `the spool holds every acknowledged record (${ids.size} >= ${acked})`);

  await broker.start();
  const b = await startAdapter();
  await waitFor(() => b.out().includes('spool drained'), 60_000, 'the spool to drain after restart');
  const records = await readTopic('dicomtrail.events.v1', {
    brokers: broker.brokers,
    // Every spooled id (the restarted adapter adds its own EVT_NODE_STARTED beside them).
    until: (r) => {
      const seen = new Set(
        r.map((x) => (JSON.parse(x.value?.toString('utf8') ?? '{}') as { id: string }).id),
      );
      return [...ids].every((id) => seen.has(id));
    },
    timeoutMs: 30_000,
  });
  const got = new Set(
    records.map((r) => (JSON.parse(r.value?.toString('utf8') ?? '{}') as { id: string }).id),
  );
  const missing = [...ids].filter((id) => !got.has(id));
  assert.deepEqual(missing, [], 'every spooled event is in Kafka');
  assert.equal(records.length, got.size, 'none twice');
  const m = await metrics(b.health);
  assert.equal(m.state, 'recovered');
  const h = await fetch(`http://127.0.0.1:${b.health}/healthz`);
  assert.equal(h.status, 200);
  assert.deepEqual(await h.json(), { status: 'ok', state: 'recovered' });
  b.proc.kill('SIGTERM');
  await new Promise((r) => b.proc.once('exit', r));
});
