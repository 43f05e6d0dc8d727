/**
 * What the audit writer's integration tests share: a migrated database of their own, a topic of their own
 * (created with 2 partitions), the writer started in-process, waiting for it to catch up with the topic.
 */
import { createKafka, ensureTopics } from '@dicomtrail/event-log';
import { migrate } from '@dicomtrail/migrations';
import { createLogger } from '@dicomtrail/runtime';
import { createTestDatabase, kafkaBrokers, type TestDatabase, uniqueTopic } from '@dicomtrail/testing';
import pg from 'pg';
import { type AuditWriter, startAuditWriter } from '../../src/consumer-loop.js';
import { LOGIN_ROLES, loginUrl } from '../../src/login-roles.js';

export const testLog = createLogger('audit-writer-test', { level: process.env['LOG_LEVEL'] ?? 'silent' });

export interface Harness {
  db: TestDatabase;
  pool: pg.Pool;
  topic: string;
  brokers: string[];
  close(): Promise<void>;
}

export async function createHarness(label: string, partitions = 2): Promise<Harness> {
  const db = await createTestDatabase(label);
  await migrate(db.url);
  const brokers = await kafkaBrokers();
  const topic = uniqueTopic(`audit-${label}`);
  const kafka = createKafka({ clientId: 'audit-test-admin', brokers, log: testLog });
  await ensureTopics(kafka, [
    { topic, numPartitions: partitions, replicationFactor: 1 },
    { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1 },
  ]);
  const pool = new pg.Pool({ connectionString: db.url, max: 3 });
  return {
    db,
    pool,
    topic,
    brokers,
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}

export function startWriter(h: Harness, groupId = `audit-${h.topic}`): Promise<AuditWriter> {
  return startAuditWriter({
    brokers: h.brokers,
    databaseUrl: loginUrl(h.db.url, LOGIN_ROLES.writer),
    topic: h.topic,
    groupId,
    maxWaitTimeMs: 50,
    log: testLog,
  });
}

export async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The topic's end offsets (next offset to be written) per partition. */
export async function endOffsets(h: Harness): Promise<Map<number, string>> {
  const admin = createKafka({ clientId: 'audit-test-admin', brokers: h.brokers, log: testLog }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(h.topic);
    return new Map(offsets.map((o) => [o.partition, o.high]));
  } finally {
    await admin.disconnect();
  }
}

/** Resolves once the group's database checkpoints reach the end of every non-empty partition. */
export async function waitCaughtUp(h: Harness, groupId: string, timeoutMs = 30_000): Promise<void> {
  const ends = await endOffsets(h);
  await waitFor(
    async () => {
      const { rows } = await h.pool.query<{ partition: number; next_offset: string }>(
        'SELECT partition, next_offset::text FROM audit.consumer_checkpoints WHERE group_id = $1 AND topic = $2',
        [groupId, h.topic],
      );
      const at = new Map(rows.map((r) => [r.partition, r.next_offset]));
      return [...ends].every(([p, end]) => end === '0' || at.get(p) === end);
    },
    timeoutMs,
    `group ${groupId} to reach ${JSON.stringify([...ends])}`,
  );
}

/** A fingerprint of everything the writer produced: rows, hashes and projections. */
export async function snapshot(pool: pg.Pool): Promise<Record<string, unknown>> {
  const q = async (sql: string) => (await pool.query(sql)).rows;
  return {
    events: await q(
      `SELECT count(*)::int AS n, md5(string_agg(id::text || encode(row_hash, 'hex'), ',' ORDER BY id)) AS h
         FROM audit.events`,
    ),
    associations: await q(
      'SELECT association_id, outcome, event_count, max_seq, operation_count, bytes_received FROM audit.associations ORDER BY 1',
    ),
    operations: await q(
      'SELECT association_id, service, message_id, status, started_at, ended_at FROM audit.operations ORDER BY 1, 2, 3',
    ),
    findings: await q('SELECT * FROM audit.seq_findings ORDER BY 1, 2'),
  };
}
