/**
 * The services' own small consumer interface (the producer's counterpart, so the Kafka client can be swapped) and
 * its kafkajs implementation. Delivery is at-least-once and the *caller* decides what is durable: nothing is
 * committed automatically. A consumer hands each fetched partition batch to one handler; the audit writer commits
 * after its database transaction, the trace exporter only up to the oldest event whose spans are exported.
 */
import type { Logger } from '@dicomtrail/runtime';
import type { Consumer, Kafka, RetryOptions } from 'kafkajs';
import { createKafka } from './kafka-client.js';
import { diagnosed, type KafkaSecurity } from './kafka-security.js';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  /** Kafka offset as a decimal string (int64). */
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker/producer timestamp, epoch ms. */
  timestamp: number;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  records: readonly ConsumedRecord[];
  /** The partition's high watermark when fetched: `highWatermark - 1 - lastOffset` is the lag behind it. */
  highWatermark: string;
}

export interface BatchContext {
  /** Tells the group coordinator the member is alive during a long batch. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was revoked: stop early, the rest comes again. */
  isRunning(): boolean;
}

export type BatchHandler = (batch: RecordBatch, ctx: BatchContext) => Promise<void>;

/** A committed position: the offset of the *next* record to read (Kafka's convention). */
export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface PartitionAssignment {
  topic: string;
  partitions: number[];
}

export interface RunOptions {
  topics: readonly string[];
  /** Where a group without committed offsets starts: the beginning (default) or only new records. */
  fromBeginning?: boolean;
  handler: BatchHandler;
  /** Called after every (re)join with this member's partitions, e.g. to seek to a checkpoint kept elsewhere. */
  onAssigned?: (assignment: readonly PartitionAssignment[]) => void | Promise<void>;
  /**
   * Called when the consumer has stopped for good (the client crashed and will not restart itself). Default:
   * log it and send this process SIGTERM, so its shutdown handlers run and a supervisor restarts it; a live
   * process that consumes nothing would hide the outage.
   */
  onFatal?: (err: Error) => void;
}

export interface EventConsumer {
  connect(): Promise<void>;
  /** Subscribes and starts fetching; resolves once running (batches then arrive on the handler). */
  run(opts: RunOptions): Promise<void>;
  /** Commits positions for the group (offset = next record to read). */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Moves the fetch position of an assigned partition (takes effect on the next fetch). */
  seek(position: TopicPartitionOffset): void;
  /** Stops fetching (waits for the batch in progress) and leaves the group. */
  disconnect(): Promise<void>;
}

export interface KafkaEventConsumerOptions {
  groupId: string;
  kafka?: Kafka;
  brokers?: string[];
  clientId?: string;
  log: Logger;
  /** Longest a fetch waits for data (ms). Lower = lower latency at low load; default 100. */
  maxWaitTimeMs?: number;
  /** Bytes fetched per partition per request; bounds a batch. Default 1 MiB. */
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  /** Partitions handled concurrently (one batch per partition at a time, so per-key order holds). Default 1. */
  partitionsConsumedConcurrently?: number;
  clientRetry?: RetryOptions;
  /** TLS and SASL when no `kafka` is given (kafka-security.ts). */
  security?: KafkaSecurity;
}

export class KafkaEventConsumer implements EventConsumer {
  readonly #consumer: Consumer;
  readonly #log: Logger;
  readonly #concurrency: number;

  constructor(opts: KafkaEventConsumerOptions) {
    const kafka =
      opts.kafka ??
      createKafka({
        clientId: opts.clientId ?? opts.groupId,
        brokers: opts.brokers ?? [],
        log: opts.log,
        ...(opts.clientRetry ? { retry: opts.clientRetry } : {}),
        ...(opts.security ? { security: opts.security } : {}),
      });
    this.#log = opts.log;
    this.#concurrency = opts.partitionsConsumedConcurrently ?? 1;
    this.#consumer = kafka.consumer({
      groupId: opts.groupId,
      maxWaitTimeInMs: opts.maxWaitTimeMs ?? 100,
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 1 << 20,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    await diagnosed(this.#consumer.connect());
  }

  async run(opts: RunOptions): Promise<void> {
    if (opts.onAssigned) {
      const onAssigned = opts.onAssigned;
      this.#consumer.on(this.#consumer.events.GROUP_JOIN, (e) => {
        const assignment = Object.entries(e.payload.memberAssignment).map(([topic, partitions]) => ({
          topic,
          partitions: [...partitions],
        }));
        Promise.resolve(onAssigned(assignment)).catch((err: unknown) =>
          this.#log.error({ err }, 'partition assignment handler failed'),
        );
      });
    }
    this.#consumer.on(this.#consumer.events.CRASH, (e) => {
      const { error, restart } = e.payload;
      if (restart) {
        this.#log.warn({ err: error }, 'kafka consumer crashed; the client restarts it');
        return;
      }
      this.#log.fatal({ err: error }, 'kafka consumer stopped for good');
      if (opts.onFatal) opts.onFatal(error);
      else process.kill(process.pid, 'SIGTERM');
    });
    await this.#consumer.subscribe({ topics: [...opts.topics], fromBeginning: opts.fromBeginning ?? true });
    await this.#consumer.run({
      autoCommit: false,
      // Fetch positions advance past a batch once the handler returns; a handler that throws gets the same
      // batch again (kafkajs retries it), and nothing is committed unless the caller commits.
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: this.#concurrency,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0) return;
        const records: ConsumedRecord[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key ? m.key.toString('utf8') : null,
          value: m.value,
          headers: headersOf(m.headers),
          timestamp: Number(m.timestamp),
        }));
        await opts.handler(
          { topic: batch.topic, partition: batch.partition, records, highWatermark: batch.highWatermark },
          { heartbeat, isRunning: () => isRunning() && !isStale() },
        );
      },
    });
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await this.#consumer.commitOffsets(offsets.map((o) => ({ ...o })));
    } catch (err) {
      // The group is rebalancing or this member is rejoining: the partitions' next owner (or this member after
      // the join) reads again from the last committed offset, which at-least-once delivery allows; the next
      // commit carries these offsets too. Any other failure is the caller's to handle.
      if (!isRebalanceError(err)) throw err;
      this.#log.warn(
        { err: (err as Error).message, offsets },
        'offset commit skipped: the consumer group is rebalancing',
      );
    }
  }

  seek(position: TopicPartitionOffset): void {
    this.#consumer.seek({ ...position });
  }

  async disconnect(): Promise<void> {
    await this.#consumer.disconnect();
  }
}

const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']);

/** A commit refused because group membership is changing (kafkajs error types and its "not initialized"). */
export function isRebalanceError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const type = (err as { type?: unknown }).type;
  if (typeof type === 'string' && REBALANCE_ERRORS.has(type)) return true;
  return /not initialized|rebalanc/i.test(err.message);
}

function headersOf(headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined) {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

export function createEventConsumer(opts: KafkaEventConsumerOptions): EventConsumer {
  return new KafkaEventConsumer(opts);
}
