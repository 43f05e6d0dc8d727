/**
 * The whole pipeline for the console's tests: a migrated database of its own, a topic of its own, the real audit
 * writer (writer role), the adapter process with dcmtk traffic, and the console server in-process (console role,
 * an idempotent acks=all producer to the same topic) listening on a free port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AuditWriter, LOGIN_ROLES, loginUrl, startAuditWriter } from '@dicomtrail/audit-writer';
import { createEventProducer, createKafka, type EventProducer, ensureTopics } from '@dicomtrail/event-log';
import { migrate } from '@dicomtrail/migrations';
import { createLogger, loadConfig } from '@dicomtrail/runtime';
import {
  createTestDatabase,
  freePort,
  kafkaBrokers,
  type TestDatabase,
  uniqueTopic,
} from '@dicomtrail/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { addUser } from '../../src/accounts.js';
import { createAuditRecorder } from '../../src/audit-recorder.js';
import { type ConsoleConfig, consoleConfigSpec } from '../../src/config.js';
import { createPool } from '../../src/db.js';
import { createConsoleServer } from '../../src/server.js';
import { type Peer, runTraffic, startAdapter, startStorescp } from './traffic.js';

export const testLog = createLogger('console-test', { level: process.env['LOG_LEVEL'] ?? 'silent' });
export const AUDITOR = { username: 'privacy.officer', password: 'auditor-password-1' };
export const ENGINEER = { username: 'pacs.engineer', password: 'engineer-password-1' };

export async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ConsoleUnderTest {
  url: string;
  app: FastifyInstance;
  db: pg.Pool;
  producer: EventProducer;
  close(): Promise<void>;
}

export async function startConsole(o: {
  databaseUrl: string;
  brokers: string[];
  topic: string;
  env?: Record<string, string>;
  connect?: boolean;
}): Promise<ConsoleUnderTest> {
  const config: ConsoleConfig = loadConfig(consoleConfigSpec, {
    CONSOLE_DATABASE_URL: o.databaseUrl,
    KAFKA_BROKERS: o.brokers.join(','),
    EVENTS_TOPIC: o.topic,
    CONSOLE_PUBLISH_TIMEOUT_MS: '4000',
    ...o.env,
  });
  const db = createPool(config.CONSOLE_DATABASE_URL, config.CONSOLE_DB_ROLE);
  const producer = createEventProducer({
    topic: config.EVENTS_TOPIC,
    brokers: config.KAFKA_BROKERS,
    log: testLog,
    retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
    clientRetry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
  });
  if (o.connect !== false) {
    const kafka = createKafka({ clientId: 'console-test-admin', brokers: o.brokers, log: testLog });
    await ensureTopics(kafka, [{ topic: o.topic, numPartitions: 1, replicationFactor: 1 }]);
    await producer.connect();
  }
  const recorder = createAuditRecorder({
    db,
    producer,
    node: { id: `console-test-${process.pid}`, hostname: os.hostname(), version: '0.1.0' },
    timeoutMs: config.CONSOLE_PUBLISH_TIMEOUT_MS,
  });
  const app = await createConsoleServer({ db, recorder, config, log: testLog });
  const port = await freePort();
  await app.listen({ host: '127.0.0.1', port });
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    db,
    producer,
    async close() {
      await app.close();
      await producer.disconnect().catch(() => {});
      await db.end();
    },
  };
}

export interface Stack {
  db: TestDatabase;
  pool: pg.Pool;
  topic: string;
  brokers: string[];
  console: ConsoleUnderTest;
  close(): Promise<void>;
}

/** What a test runs through the pipeline: starts its peers (kept in `peers`), returns how many associations. */
export type Traffic = (o: {
  dir: string;
  topic: string;
  brokers: string[];
  peers: Peer[];
}) => Promise<number>;

/** The default traffic (support/traffic.ts): the adapter as archive with WORKSTATION as C-MOVE destination. */
export const archiveTraffic: Traffic = async ({ dir, topic, brokers, peers }) => {
  const workstation = await startStorescp('WORKSTATION', path.join(dir, 'workstation'));
  peers.push(workstation);
  const adapter = await startAdapter(dir, topic, brokers, {
    ARCHIVE_MOVE_DESTINATIONS: `WORKSTATION=127.0.0.1:${workstation.port}`,
  });
  peers.push(adapter);
  return runTraffic(adapter.port, dir);
};

export async function startStack(label: string, traffic: Traffic = archiveTraffic): Promise<Stack> {
  const db = await createTestDatabase(label);
  await migrate(db.url, { log: () => {} });
  const brokers = await kafkaBrokers();
  const topic = uniqueTopic(`console-${label}`);
  const kafka = createKafka({ clientId: 'console-test-admin', brokers, log: testLog });
  await ensureTopics(kafka, [
    { topic, numPartitions: 2, replicationFactor: 1 },
    { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1 },
  ]);
  const pool = new pg.Pool({ connectionString: db.url, max: 3 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-console-'));
  const peers: Peer[] = [];
  let writer: AuditWriter | undefined;
  let consoleServer: ConsoleUnderTest | undefined;
  const close = async () => {
    await consoleServer?.close();
    for (const p of peers.reverse()) await p.stop();
    await writer?.stop();
    await pool.end();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    writer = await startAuditWriter({
      brokers,
      databaseUrl: loginUrl(db.url, LOGIN_ROLES.writer),
      topic,
      groupId: `console-${topic}`,
      maxWaitTimeMs: 50,
      log: testLog,
    });
    const associations = await traffic({ dir, topic, brokers, peers });
    await waitFor(
      async () => {
        const { rows } = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM audit.associations WHERE closed_at IS NOT NULL',
        );
        return rows[0]!.n >= associations;
      },
      60_000,
      `${associations} associations closed in audit.associations`,
    );
    await addUser(pool, AUDITOR.username, 'auditor', AUDITOR.password);
    await addUser(pool, ENGINEER.username, 'engineer', ENGINEER.password);
    consoleServer = await startConsole({ databaseUrl: db.url, brokers, topic });
    return { db, pool, topic, brokers, console: consoleServer, close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
