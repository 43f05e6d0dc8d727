/**
 * The services' own small producer interface, so the Kafka client can be swapped (shared/design/ARCHITECTURE.md),
 * and its kafkajs implementation: idempotent, acks=all, one request in flight per broker connection (so the
 * records of one key keep their order through retries), gzip, Java-compatible murmur2 partitioning (a key lands
 * on the same partition whichever client produced it).
 */
import type { Logger } from '@dicomtrail/runtime';
import { CompressionTypes, type Kafka, Partitioners, type Producer, type RetryOptions } from 'kafkajs';
import { createKafka } from './kafka-client.js';
import { diagnosed, type KafkaSecurity } from './kafka-security.js';

export interface EventRecord {
  /** Partitioning key: the association id for events. */
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface EventProducer {
  /** Connects (and, for an idempotent producer, obtains its producer id). Rejects when the broker is unreachable. */
  connect(): Promise<void>;
  /** Resolves when every record is acknowledged by all in-sync replicas; rejects once its own retries are spent. */
  send(records: readonly EventRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaEventProducerOptions {
  topic: string;
  /** An existing client, or brokers to make one with `createKafka`. */
  kafka?: Kafka;
  brokers?: string[];
  clientId?: string;
  log: Logger;
  /** Retries of one `send` (the caller retries the same batch after that). Default: 5 retries, 100 ms → 2 s. */
  retry?: RetryOptions;
  /** Retries of connection set-up and metadata (client level). Default: 3 retries, 100 ms → 1 s. */
  clientRetry?: RetryOptions;
  /** Per-request timeout (ms), default 10000. */
  requestTimeoutMs?: number;
  /** gzip (default) or none. */
  compression?: 'gzip' | 'none';
  /** TLS and SASL when no `kafka` is given (kafka-security.ts). */
  security?: KafkaSecurity;
}

/** Send retries of one batch: a dead broker shows within ~3 s, and the caller keeps the batch to send again. */
export const DEFAULT_SEND_RETRY: RetryOptions = {
  retries: 5,
  initialRetryTime: 100,
  maxRetryTime: 2000,
};

export const DEFAULT_CLIENT_RETRY: RetryOptions = { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 };

export class KafkaEventProducer implements EventProducer {
  readonly #topic: string;
  readonly #producer: Producer;
  readonly #compression: CompressionTypes;
  readonly #timeout: number;

  constructor(opts: KafkaEventProducerOptions) {
    const kafka =
      opts.kafka ??
      createKafka({
        clientId: opts.clientId ?? 'dicomtrail-producer',
        brokers: opts.brokers ?? [],
        log: opts.log,
        retry: opts.clientRetry ?? DEFAULT_CLIENT_RETRY,
        ...(opts.security ? { security: opts.security } : {}),
      });
    this.#topic = opts.topic;
    this.#timeout = opts.requestTimeoutMs ?? 10_000;
    this.#compression = opts.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP;
    this.#producer = kafka.producer({
      idempotent: true,
      // One in-flight request: a retried batch can never overtake the next one, so per-key order holds.
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      retry: opts.retry ?? DEFAULT_SEND_RETRY,
    });
  }

  async connect(): Promise<void> {
    await diagnosed(this.#producer.connect());
  }

  async send(records: readonly EventRecord[]): Promise<void> {
    if (records.length === 0) return;
    await diagnosed(
      this.#producer.send({
        topic: this.#topic,
        acks: -1,
        timeout: this.#timeout,
        compression: this.#compression,
        messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      }),
    );
  }

  async disconnect(): Promise<void> {
    await this.#producer.disconnect();
  }
}

export function createEventProducer(opts: KafkaEventProducerOptions): EventProducer {
  return new KafkaEventProducer(opts);
}
