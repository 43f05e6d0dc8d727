/**
 * The service: consume the event topic with its own group, turn each association (when it ends) and each node
 * lifecycle event into audit messages (audit-pipeline.ts), hand them to every destination, and commit a Kafka
 * offset only when everything before it was delivered: per partition, up to the first event of the oldest
 * association (or node event) whose messages are not yet delivered everywhere (event-log's OffsetTracker and
 * Checkpointer). A crash or a restart re-reads from there: nothing is lost, and what is sent again has the same
 * stable ids. A destination that is down holds its messages (bounded by AUDIT_MAX_PENDING, then the consumer
 * waits) and retries until it takes them.
 */
import {
  Checkpointer,
  createEventConsumer,
  createKafka,
  decodeRecord,
  type EventConsumer,
  ensureTopics,
  HEADER_TYPE,
  OffsetTracker,
} from '@dicomtrail/event-log';
import type { Logger } from '@dicomtrail/runtime';
import type { AuditMessage } from './audit-message.js';
import { AuditPipeline, type Ready } from './audit-pipeline.js';
import type { AuditInterchangeConfig } from './config.js';
import type { Destination } from './destination.js';
import { auditContext, createDestinations, deliverAll } from './destinations.js';

/**
 * Event types no audit message reads (PDUs, raw data, ACSE primitives, SOP class negotiation items, and
 * EVT_ESTABLISHED, which only repeats the association EVT_ACCEPTED carried): recognised by the record's `type`
 * header and passed over without decoding, which is most of an association's events (decoding and validating the
 * rest is most of the service's work).
 */
const UNUSED_TYPES = new Set([
  'EVT_ESTABLISHED',
  'EVT_PDU_RECV',
  'EVT_PDU_SENT',
  'EVT_DATA_RECV',
  'EVT_DATA_SENT',
  'EVT_ACSE_RECV',
  'EVT_ACSE_SENT',
  'EVT_SOP_COMMON',
  'EVT_SOP_EXTENDED',
  'EVT_ASYNC_OPS',
  'EVT_C_ECHO',
  'EVT_C_CANCEL',
]);

export interface AuditInterchangeStats {
  events: number;
  /** Records passed over by their type header (types no message reads). */
  skipped: number;
  undecodable: number;
  messages: number;
  delivered: number;
  commits: number;
  openAssociations: number;
  destinations: Record<string, Record<string, number>>;
}

export interface AuditInterchange {
  stats(): AuditInterchangeStats;
  /** Resolves when everything read so far is delivered and committed. */
  checkpoint(): Promise<void>;
  stop(): Promise<void>;
}

export interface AuditInterchangeOptions {
  /** Destinations instead of those the configuration names (benchmarks). */
  destinations?: Destination[];
  /** Called as messages are delivered everywhere, with each message's lag behind its last event (ms). */
  onDelivered?: (lagMs: readonly number[]) => void;
}

export async function startAuditInterchange(
  config: AuditInterchangeConfig,
  log: Logger,
  options: AuditInterchangeOptions = {},
): Promise<AuditInterchange> {
  const destinations = options.destinations ?? createDestinations(config, log);
  const offsets = new OffsetTracker();
  const pipeline = new AuditPipeline(auditContext(config), {
    timeoutMs: config.AUDIT_ASSOCIATION_TIMEOUT_MS,
    maxOpen: config.AUDIT_MAX_OPEN_ASSOCIATIONS,
    recentlyClosed: Math.max(10_000, config.AUDIT_MAX_OPEN_ASSOCIATIONS),
  });
  const counts = { undecodable: 0, skipped: 0, messages: 0, delivered: 0 };

  const kafka = createKafka({ clientId: 'dicomtrail-audit-interchange', brokers: config.KAFKA_BROKERS, log });
  await ensureTopics(kafka, [
    {
      topic: config.EVENTS_TOPIC,
      numPartitions: config.EVENTS_TOPIC_PARTITIONS,
      replicationFactor: config.EVENTS_TOPIC_REPLICATION,
    },
  ]);
  const consumer: EventConsumer = createEventConsumer({
    groupId: config.AUDIT_INTERCHANGE_GROUP_ID,
    kafka,
    log,
    sessionTimeoutMs: config.AUDIT_KAFKA_SESSION_TIMEOUT_MS,
  });

  /** Hands what became ready to the destinations; each key's offset is released once all delivered it. */
  async function deliver(ready: readonly Ready[]): Promise<void> {
    if (ready.length === 0) return;
    for (const d of destinations) await d.room();
    const messages: AuditMessage[] = [];
    const lastMs: number[] = [];
    for (const r of ready) {
      messages.push(...r.messages);
      const at = Date.parse(r.lastEventAt);
      for (let i = 0; i < r.messages.length; i++) lastMs.push(at);
      if (r.incomplete)
        log.warn(
          { key: r.key, reason: r.incomplete, messages: r.messages.length },
          'association audited as incomplete',
        );
    }
    counts.messages += messages.length;
    const release = (): void => {
      for (const r of ready) if (r.position) offsets.close(r.position.topic, r.position.partition, r.key);
      counts.delivered += messages.length;
      if (options.onDelivered) {
        const now = Date.now();
        options.onDelivered(lastMs.map((ms) => now - ms));
      }
    };
    if (messages.length === 0) release();
    else deliverAll(destinations, messages, release);
  }

  const checkpoints = new Checkpointer({
    consumer,
    offsets,
    intervalMs: config.AUDIT_COMMIT_INTERVAL_MS,
    log,
    openCount: () => pipeline.openCount,
  });

  await consumer.connect();
  await consumer.run({
    topics: [config.EVENTS_TOPIC],
    fromBeginning: config.AUDIT_INTERCHANGE_FROM_BEGINNING,
    handler: async (batch, ctx) => {
      await checkpoints.serially(async () => {
        const ready: Ready[] = [];
        for (const record of batch.records) {
          const offset = Number(record.offset);
          const type = record.headers[HEADER_TYPE];
          const decoded = type && UNUSED_TYPES.has(type) ? undefined : decodeRecord(record);
          if (!decoded) counts.skipped++;
          else if (!decoded.ok) {
            counts.undecodable++;
            log.warn(
              {
                partition: batch.partition,
                offset: record.offset,
                code: decoded.code,
                reason: decoded.reason,
              },
              'event skipped: cannot be decoded (the audit writer dead-letters it)',
            );
          } else {
            const position = { topic: batch.topic, partition: batch.partition, offset };
            const r = pipeline.accept(decoded.event, position, Date.now());
            if (r.opened) offsets.open(batch.topic, batch.partition, r.opened, offset);
            ready.push(...r.ready);
          }
          offsets.read(batch.topic, batch.partition, offset);
          if (offset % 256 === 0) await ctx.heartbeat();
        }
        await deliver(ready);
        await checkpoints.checkpointIfDue();
      });
      await ctx.heartbeat();
    },
  });

  const timer = checkpoints.everyTick(() => deliver(pipeline.expire(Date.now())));
  log.info(
    {
      topic: config.EVENTS_TOPIC,
      group: config.AUDIT_INTERCHANGE_GROUP_ID,
      destinations: destinations.map((d) => d.name),
    },
    'audit-interchange ready',
  );

  return {
    stats: () => ({
      events: pipeline.stats.events + counts.skipped,
      skipped: counts.skipped,
      undecodable: counts.undecodable,
      messages: counts.messages,
      delivered: counts.delivered,
      commits: checkpoints.commits,
      openAssociations: pipeline.openCount,
      destinations: Object.fromEntries(destinations.map((d) => [d.name, d.stats()])),
    }),
    checkpoint: async () => {
      const until = Date.now() + 120_000;
      while (destinations.some((d) => d.pending > 0) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      await checkpoints.serially(() => checkpoints.checkpoint());
    },
    stop: async () => {
      clearInterval(timer);
      await consumer.disconnect();
      for (const d of destinations) await d.close();
      await checkpoints.serially(() => checkpoints.checkpoint());
      log.info(
        { open: pipeline.openCount },
        'audit-interchange stopped; open associations and undelivered messages are read again on the next start',
      );
    },
  };
}
