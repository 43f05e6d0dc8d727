/**
 * The writer process SIGKILLed while it is writing batches, then restarted: nothing lost, nothing doubled, the
 * chains verify, the projections count every event once. Poison records on the way go to the DLQ with their
 * reason, and the writer moves on.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEventProducer, HEADER_DLQ_REASON } from '@dicomtrail/event-log';
import { readTopic } from '@dicomtrail/testing';
import { verifyTrail } from '../src/verify.js';
import { createHarness, type Harness, testLog, waitCaughtUp, waitFor } from './support/harness.js';
import { associationRecords, EVENTS_PER_ASSOCIATION, poisonRecords } from './support/synthetic.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.js');
const ASSOCIATIONS = 150;
const TOTAL = ASSOCIATIONS * EVENTS_PER_ASSOCIATION;
const GROUP = 'audit-crash';
let h: Harness;
const children: ChildProcess[] = [];

before(async () => {
  h = await createHarness('crash');
  const producer = createEventProducer({ topic: h.topic, brokers: h.brokers, log: testLog });
  await producer.connect();
  const poison = poisonRecords().map((p) => p.record);
  for (let i = 0; i < ASSOCIATIONS; i += 50) {
    const batch = [];
    for (let j = i; j < i + 50; j++) batch.push(...associationRecords(`PID-CRASH-${j}`));
    await producer.send(i === 50 ? [...batch, ...poison] : batch);
  }
  await producer.disconnect();
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h?.close();
});

function startWriterProcess(): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'run'], {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      DATABASE_URL: h.db.url,
      KAFKA_BROKERS: h.brokers.join(','),
      EVENTS_TOPIC: h.topic,
      AUDIT_WRITER_GROUP_ID: GROUP,
      AUDIT_WRITER_MAX_BATCH_EVENTS: '300',
      AUDIT_WRITER_SESSION_TIMEOUT_MS: '6000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function count(): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.events');
  return rows[0]!.n;
}

test('SIGKILL mid-stream, restart: every event exactly once, chains intact, poison records dead-lettered', async () => {
  const first = startWriterProcess();
  await waitFor(async () => (await count()) >= 800, 30_000, 'the first 800 rows');
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const atKill = await count();
  assert.ok(atKill < TOTAL, `killed before the end (${atKill} of ${TOTAL})`);

  const second = startWriterProcess();
  await waitCaughtUp(h, GROUP, 60_000);
  const exited = new Promise((r) => second.once('exit', r));
  second.kill('SIGTERM');
  await exited;
  assert.equal(second.exitCode, 0, 'clean shutdown on SIGTERM');

  assert.equal(await count(), TOTAL);
  const { rows } = await h.pool.query(
    `SELECT count(*)::int AS associations, sum(event_count)::int AS events, sum(instances_stored)::int AS stored,
            (SELECT count(*)::int FROM audit.seq_findings) AS findings,
            (SELECT count(DISTINCT patient_id)::int FROM audit.operations) AS patients
       FROM audit.associations`,
  );
  assert.deepEqual(rows[0], {
    associations: ASSOCIATIONS,
    events: TOTAL,
    stored: ASSOCIATIONS,
    findings: 0,
    patients: ASSOCIATIONS,
  });
  const report = await verifyTrail(h.pool);
  assert.equal(report.ok, true, JSON.stringify(report.broken));
  assert.equal(report.rows, TOTAL);

  const dead = await readTopic(`${h.topic}.dlq`, { until: (r) => r.length >= 4, timeoutMs: 10_000 });
  const reasons = dead.map((r) => r.headers[HEADER_DLQ_REASON] ?? '');
  for (const p of poisonRecords()) {
    assert.ok(
      reasons.some((r) => p.reason.test(r)),
      `a DLQ record with reason ${p.reason} in ${reasons}`,
    );
  }
});
