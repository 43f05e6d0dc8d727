/**
 * Runs the console: config checked at start-up, the Postgres pool (CONSOLE_DB_ROLE on every connection), the
 * idempotent acks=all producer for Audit Log Used events, then the HTTP server. Prints its URL.
 */
import os from 'node:os';
import { createEventProducer, createKafka, dlqTopicOf, ensureTopics } from '@dicomtrail/event-log';
import { createLogger, loadConfigOrExit, onShutdown, routeProcessWarnings } from '@dicomtrail/runtime';
import { createAuditRecorder } from './audit-recorder.js';
import { consoleConfigSpec } from './config.js';
import { checkDatabase, createPool } from './db.js';
import { createConsoleServer } from './server.js';

export async function runConsole(): Promise<void> {
  const log = createLogger('console');
  routeProcessWarnings(log);
  const config = loadConfigOrExit(consoleConfigSpec, log);
  const db = createPool(config.CONSOLE_DATABASE_URL, config.CONSOLE_DB_ROLE);
  await checkDatabase(db, config.CONSOLE_DB_ROLE);
  const kafka = createKafka({ clientId: 'dicomtrail-console', brokers: config.KAFKA_BROKERS, log });
  const topicConfig = {
    numPartitions: config.EVENTS_TOPIC_PARTITIONS,
    replicationFactor: config.EVENTS_TOPIC_REPLICATION,
  };
  await ensureTopics(kafka, [
    { topic: config.EVENTS_TOPIC, ...topicConfig },
    { topic: dlqTopicOf(config.EVENTS_TOPIC), ...topicConfig },
  ]);
  const producer = createEventProducer({ topic: config.EVENTS_TOPIC, kafka, log });
  await producer.connect();
  const recorder = createAuditRecorder({
    db,
    producer,
    node: {
      id: config.CONSOLE_NODE_ID ?? `console-${os.hostname()}`,
      hostname: os.hostname(),
      version: '0.1.0',
    },
    timeoutMs: config.CONSOLE_PUBLISH_TIMEOUT_MS,
  });
  const app = await createConsoleServer({ db, recorder, config, log });
  const address = await app.listen({ host: config.CONSOLE_HOST, port: config.CONSOLE_PORT });
  log.info({ url: address }, 'console listening');
  process.stdout.write(`dicomtrail console: ${address}/\n`);
  onShutdown(log, [() => app.close(), () => producer.disconnect(), () => db.end()]);
}
