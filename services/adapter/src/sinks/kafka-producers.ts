/**
 * The Kafka parts both event pipelines publish with (wal-sink.ts for AUDIT_DURABILITY=sync, kafka-sink.ts for
 * `async`): the event producer (in a worker thread of its own, threaded-producer.ts, unless `producerThread`
 * is false; @platformatic/kafka by default, or kafkajs), the envelope thread when the pipeline wants one, the
 * topic set-up, and the dead letters with their own producer on this thread.
 */
import path from 'node:path';
import type { EventRecord } from '@dicomtrail/event-log';
import {
  createEventProducer,
  createKafka,
  DEFAULT_CLIENT_RETRY,
  dlqTopicOf,
  type EventProducer,
  ensureTopics,
  type KafkaClientName,
  type KafkaSecurity,
  PlatformaticEventProducer,
  ThreadedEventProducer,
} from '@dicomtrail/event-log';
import type { Logger } from '@dicomtrail/runtime';
import type { EventType } from '@dicomtrail/schemas';
import type { NodeInfo } from '../events/envelope.js';
import { DeadLetters, localDeadLetterFile } from './dead-letters.js';
import { EnvelopeThread } from './envelope-thread.js';
import type { Spool } from './spool.js';

/** Why records were handed to `onUndeliverable`: the queue was full, or the sink closed before they were sent. */
export type UndeliverableReason = 'overflow' | 'shutdown';

export interface KafkaSinkConfig {
  brokers: string[];
  topic: string;
  partitions: number;
  replication: number;
  node: NodeInfo;
  log: Logger;
  types?: readonly EventType[];
  maxQueue?: number;
  lingerMs?: number;
  batchMax?: number;
  closeTimeoutMs?: number;
  onUndeliverable?: (records: readonly EventRecord[], reason: UndeliverableReason) => void;
  spool?: Spool;
  spoolThreshold?: number;
  maxBackoffMs?: number;
  /**
   * Run the producer in a worker thread (threaded-producer.ts), and build the envelopes in another
   * (envelope-thread.ts), default true. False: both on the calling thread.
   */
  producerThread?: boolean;
  /** The client library (default @platformatic/kafka, the faster in publish.bench.ts; or kafkajs). */
  client?: KafkaClientName;
  /** Batch compression (default none: see KAFKA_COMPRESSION in config.ts). */
  compression?: 'gzip' | 'none';
  /**
   * Nice value of the envelope and producer threads (Linux, 0-19; default unchanged): below the DICOM thread,
   * so that the scheduler serves clinical traffic first when the CPUs are busy.
   */
  threadNice?: number;
  /** TLS and SASL towards the brokers (event-log's kafka-security.ts); unset: plaintext. */
  security?: KafkaSecurity;
  /** Build the envelopes in a thread of their own (default: with the producer thread). */
  envelopeThread?: boolean;
}

/**
 * How long the first record of a batch waits for company (ms), when KAFKA_LINGER_MS does not say: with `sync`
 * the records already are durable in the write-ahead log while they wait, so the batches can be fuller (less
 * producer work per event); with `async` they wait in memory only, which a crash loses.
 */
export const DEFAULT_LINGER_MS = { sync: 50, async: 10 } as const;

export function lingerMsOf(durability: 'sync' | 'async', configured: number | undefined): number {
  return configured ?? DEFAULT_LINGER_MS[durability];
}

/** The producer (in its thread unless `producerThread` is false), the envelope thread and the topic set-up. */
export function kafkaParts(cfg: KafkaSinkConfig): {
  producer: EventProducer;
  encoder: EnvelopeThread | undefined;
  setup: () => Promise<void>;
  deadLetters: DeadLetters;
} {
  const security = cfg.security ? { security: cfg.security } : {};
  const kafka = createKafka({
    clientId: `dicomtrail-adapter-${cfg.node.id}`,
    brokers: cfg.brokers,
    log: cfg.log,
    retry: DEFAULT_CLIENT_RETRY,
    // Each failed connect attempt would be an error line; the sink logs degraded/recovered once instead.
    quietNamespaces: ['Connection', 'BrokerPool'],
    ...security,
  });
  // Threaded: the envelope thread builds and validates envelopes, the producer thread sends them (both off
  // the DICOM thread).
  const threaded = cfg.producerThread !== false;
  const compression = { compression: cfg.compression ?? 'none' };
  const producer: EventProducer = !threaded
    ? (cfg.client ?? 'platformatic') === 'platformatic'
      ? new PlatformaticEventProducer({
          topic: cfg.topic,
          brokers: cfg.brokers,
          clientId: `dicomtrail-adapter-${cfg.node.id}`,
          log: cfg.log,
          ...compression,
          ...security,
        })
      : createEventProducer({ kafka, topic: cfg.topic, log: cfg.log, ...compression })
    : new ThreadedEventProducer({
        client: cfg.client ?? 'platformatic',
        topic: cfg.topic,
        brokers: cfg.brokers,
        clientId: `dicomtrail-adapter-${cfg.node.id}`,
        log: cfg.log,
        clientRetry: DEFAULT_CLIENT_RETRY,
        quietNamespaces: ['Connection', 'BrokerPool'],
        ...compression,
        ...security,
        ...(cfg.threadNice !== undefined ? { nice: cfg.threadNice } : {}),
      });
  const encoder =
    (cfg.envelopeThread ?? threaded)
      ? new EnvelopeThread({
          node: cfg.node,
          log: cfg.log,
          ...(cfg.threadNice !== undefined ? { nice: cfg.threadNice } : {}),
        })
      : undefined;
  const setup = async (): Promise<void> => {
    const created = await ensureTopics(kafka, [
      { topic: cfg.topic, numPartitions: cfg.partitions, replicationFactor: cfg.replication },
    ]);
    if (created.length > 0)
      cfg.log.info(
        { topic: cfg.topic, partitions: cfg.partitions, replication: cfg.replication },
        'event topic created',
      );
  };
  const dlq = dlqTopicOf(cfg.topic);
  const deadLetters = new DeadLetters({
    // On this thread: dead letters are rare, and a producer of their own keeps them off the event batches.
    dlqProducer: () =>
      (cfg.client ?? 'platformatic') === 'platformatic'
        ? new PlatformaticEventProducer({
            topic: dlq,
            brokers: cfg.brokers,
            clientId: `dicomtrail-adapter-${cfg.node.id}-dlq`,
            log: cfg.log,
            ...compression,
            ...security,
          })
        : createEventProducer({ kafka, topic: dlq, log: cfg.log, ...compression }),
    setup: async () => {
      await ensureTopics(kafka, [
        { topic: dlq, numPartitions: cfg.partitions, replicationFactor: cfg.replication },
      ]);
    },
    localFile: cfg.spool
      ? localDeadLetterFile(cfg.spool.dir)
      : path.resolve('.dicomtrail', 'dead-letters.jsonl'),
    nodeId: cfg.node.id,
    log: cfg.log,
  });
  return { producer, encoder, setup, deadLetters };
}
