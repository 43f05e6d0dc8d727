/**
 * The pieces the integration tests put together: the captured traffic replayed into a Kafka topic of the test's
 * own (as new associations each time, so every replay is new traffic with its own message ids), and the service
 * in-process with a configuration given as environment variables.
 */
import { randomUUID } from 'node:crypto';
import { createLogger, loadConfig } from '@dicomtrail/runtime';
import { type DicomtrailEvent, uuidv7 } from '@dicomtrail/schemas';
import { kafkaBrokers, testKafka } from '@dicomtrail/testing';
import {
  type AuditInterchange,
  type AuditInterchangeOptions,
  startAuditInterchange,
} from '../../src/audit-interchange.js';
import { auditInterchangeConfigSpec } from '../../src/config.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * The same traffic as new associations: every association id (and parent id) replaced by a fresh one, node
 * events given fresh event ids (their message ids derive from them); order and content otherwise unchanged.
 */
export function asNewTraffic(events: readonly DicomtrailEvent[]): DicomtrailEvent[] {
  const map = new Map<string, string>();
  for (const e of events) {
    if ('association' in e && !map.has(e.association.id)) map.set(e.association.id, randomUUID());
    if (e.type === 'EVT_NODE_STARTED' || e.type === 'EVT_NODE_STOPPED') map.set(e.id, uuidv7());
  }
  return events.map(
    (e) => JSON.parse(JSON.stringify(e).replace(UUID, (u) => map.get(u) ?? u)) as DicomtrailEvent,
  );
}

/** Publishes events as the adapter does: key = association id (node id for node events), JSON value. */
export async function publish(topic: string, events: readonly DicomtrailEvent[]): Promise<void> {
  const kafka = await testKafka('dt-atna-test-producer');
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 500)
      await producer.send({
        topic,
        acks: -1,
        messages: events.slice(i, i + 500).map((e) => ({
          key: 'association' in e ? e.association.id : e.node.id,
          value: JSON.stringify(e),
          headers: { type: e.type, schema: e.schema },
        })),
      });
  } finally {
    await producer.disconnect();
  }
}

export async function createTopic(topic: string, partitions = 3): Promise<void> {
  const admin = (await testKafka('dt-atna-test-admin')).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Committed offsets of a group on a topic, against the topic's end offsets. */
export async function groupLag(topic: string, groupId: string): Promise<{ committed: number; end: number }> {
  const admin = (await testKafka('dt-atna-test-admin')).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    const end = ends.reduce((n, p) => n + Number(p.high), 0);
    return { committed, end };
  } finally {
    await admin.disconnect();
  }
}

export async function startService(
  env: Record<string, string>,
  options: AuditInterchangeOptions = {},
): Promise<AuditInterchange> {
  const brokers = (await kafkaBrokers()).join(',');
  const config = loadConfig(auditInterchangeConfigSpec, {
    KAFKA_BROKERS: brokers,
    AUDIT_COMMIT_INTERVAL_MS: '200',
    AUDIT_SYSLOG_CONFIRM_MS: '500',
    AUDIT_KAFKA_SESSION_TIMEOUT_MS: '10000',
    ...env,
  });
  const log = createLogger('audit-interchange-test', { level: process.env['LOG_LEVEL'] ?? 'silent' });
  return startAuditInterchange(config, log, options);
}

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
