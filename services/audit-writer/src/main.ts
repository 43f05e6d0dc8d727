#!/usr/bin/env node
import { createKafka, dlqTopicOf, ensureTopics } from '@dicomtrail/event-log';
import { createLogger, loadConfigOrExit, onShutdown } from '@dicomtrail/runtime';
import pg from 'pg';
import { auditWriterConfigSpec } from './config.js';

const log = createLogger('audit-writer');
const config = loadConfigOrExit(auditWriterConfigSpec, log);
const kafka = createKafka({ clientId: 'dicomtrail-audit-writer', brokers: config.KAFKA_BROKERS, log });
const topicSpec = {
  numPartitions: config.EVENTS_TOPIC_PARTITIONS,
  replicationFactor: config.EVENTS_TOPIC_REPLICATION,
};
const created = await ensureTopics(kafka, [
  { topic: config.EVENTS_TOPIC, ...topicSpec },
  { topic: dlqTopicOf(config.EVENTS_TOPIC), ...topicSpec },
]);
const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
const { rows } = await pool.query<{ n: string }>(
  "SELECT count(*)::text AS n FROM information_schema.schemata WHERE schema_name = 'audit'",
);
if (rows[0]?.n !== '1') {
  log.fatal('schema audit is missing: run `npm run migrate` first');
  process.exit(1);
}
log.info(
  { topics_created: created, database: new URL(config.DATABASE_URL).pathname.slice(1) },
  'audit-writer ready',
);
// The consumer arrives with the audit-writer issue; until then the process holds its place (the pool's idle
// connections close after 10 s and would otherwise let the process end).
const idle = setInterval(() => {}, 1 << 30);
onShutdown(log, [async () => clearInterval(idle), async () => pool.end()]);
