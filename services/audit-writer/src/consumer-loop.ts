/**
 * The audit writer as a library: consume the event topic as a consumer group, validate each record, dead-letter
 * what cannot be processed (to the DLQ topic with the reason, and as a row of audit.dead_letters in the batch's
 * transaction, so the trail itself says what it could not store) and write the rest, one Postgres transaction per partition batch
 * (batch-writer.ts); the Kafka offset is committed only after that transaction commits. On assignment the
 * consumer seeks to the database checkpoint, which is the truth (a Kafka commit lost in a crash costs a filtered
 * re-read, never a duplicate).
 */
import {
  type ConsumedRecord,
  checkKafkaTls,
  createEventConsumer,
  createEventProducer,
  createKafka,
  deadLetterOf,
  decodeRecord,
  dlqTopicOf,
  type EventRecord,
  ensureTopics,
  type KafkaSecurity,
  type PartitionAssignment,
  type RecordBatch,
} from '@dicomtrail/event-log';
import type { DicomtrailError, Logger } from '@dicomtrail/runtime';
import type pg from 'pg';
import { type BatchResult, writeBatch } from './batch-writer.js';
import { createPool } from './db.js';
import { type DeadLetterRow, deadLetterRow, hasEncodedNul } from './dead-letter-row.js';
import type { InsertMethod } from './event-insert.js';
import { contentOf, type EventContent } from './event-row.js';
import { PartitionKeeper } from './partitions.js';
import { Progress } from './progress.js';

export interface AuditWriterOptions {
  brokers: string[];
  /** TLS and SASL towards the brokers (event-log's kafka-security.ts); unset: plaintext. */
  kafkaSecurity?: KafkaSecurity;
  /** The writer's own login (dicomtrail_audit_writer); a superuser is refused. */
  databaseUrl: string;
  topic: string;
  groupId: string;
  /** Bytes fetched per partition (bounds one transaction). */
  batchBytes?: number;
  partitionsAhead?: number;
  /** Create the topic and its DLQ if missing (partitions, replication). */
  createTopics?: { numPartitions: number; replicationFactor: number };
  maxWaitTimeMs?: number;
  sessionTimeoutMs?: number;
  /** Most records in one transaction (a larger fetch is split); default 5000. */
  maxBatchEvents?: number;
  /** How rows go into audit.events (default 'copy'). */
  insertMethod?: InsertMethod;
  /** Kafka partitions written concurrently, each in its own transaction on its own connection (default 3). */
  concurrency?: number;
  log: Logger;
  /** Called after each committed batch (benchmarks measure lag here). */
  onBatchCommitted?: (result: BatchResult, batch: RecordBatch) => void;
}

export interface AuditWriter {
  readonly stats: Progress;
  stop(): Promise<void>;
}

const PARTITION_REFRESH_MS = 6 * 3600_000;
const TRIAGE_SLICE = 200;

export async function startAuditWriter(opts: AuditWriterOptions): Promise<AuditWriter> {
  const log = opts.log;
  await checkKafkaTls(opts.brokers, opts.kafkaSecurity);
  const kafka = createKafka({
    clientId: opts.groupId,
    brokers: opts.brokers,
    log,
    ...(opts.kafkaSecurity ? { security: opts.kafkaSecurity } : {}),
  });
  const dlqTopic = dlqTopicOf(opts.topic);
  if (opts.createTopics) {
    await ensureTopics(kafka, [
      { topic: opts.topic, ...opts.createTopics },
      { topic: dlqTopic, ...opts.createTopics },
    ]);
  }
  const concurrency = opts.concurrency ?? 3;
  const maxBatchEvents = opts.maxBatchEvents ?? 5000;
  const pool = await createPool(opts.databaseUrl, log, concurrency + 1);
  const partitions = new PartitionKeeper(pool);
  await partitions.ensureAhead(new Date(), opts.partitionsAhead ?? 3);
  const refresh = setInterval(() => {
    partitions
      .ensureAhead(new Date(), opts.partitionsAhead ?? 3)
      .catch((err: unknown) => log.error({ err }, 'creating partitions ahead failed'));
  }, PARTITION_REFRESH_MS);
  refresh.unref();

  const dlq = createEventProducer({ topic: dlqTopic, kafka, log });
  await dlq.connect();
  const consumer = createEventConsumer({
    groupId: opts.groupId,
    kafka,
    log,
    maxBytesPerPartition: opts.batchBytes ?? 4 << 20,
    ...(opts.maxWaitTimeMs !== undefined ? { maxWaitTimeMs: opts.maxWaitTimeMs } : {}),
    ...(opts.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: opts.sessionTimeoutMs } : {}),
    partitionsConsumedConcurrently: concurrency,
  });
  const stats = new Progress(log);
  /** Next offset known written per partition: records below it are skipped before decoding. */
  const written = new Map<number, bigint>();

  async function onAssigned(assignment: readonly PartitionAssignment[]): Promise<void> {
    for (const { topic, partitions: ps } of assignment) {
      const { rows } = await pool.query<{ partition: number; next_offset: string }>(
        `SELECT partition, next_offset::text FROM audit.consumer_checkpoints
          WHERE group_id = $1 AND topic = $2 AND partition = ANY($3::int[])`,
        [opts.groupId, topic, ps],
      );
      for (const r of rows) {
        written.set(r.partition, BigInt(r.next_offset));
        consumer.seek({ topic, partition: r.partition, offset: r.next_offset });
      }
      log.info({ topic, partitions: ps, checkpoints: rows.length }, 'partitions assigned');
    }
  }

  /**
   * A fetched batch, written in transactions of at most maxBatchEvents records each. The next chunk is decoded
   * while the database works on the current one (decoding is CPU in this process, the insert is Postgres').
   */
  async function handle(batch: RecordBatch, heartbeat: () => Promise<void>): Promise<void> {
    const floor = written.get(batch.partition) ?? 0n;
    const records = batch.records.filter((r) => BigInt(r.offset) >= floor);
    let next = records.length > 0 ? triageChunk(records.slice(0, maxBatchEvents)) : undefined;
    for (let i = 0; next; i += maxBatchEvents) {
      const pending = writeChunk(batch, await next);
      const more = records.slice(i + maxBatchEvents, i + 2 * maxBatchEvents);
      next = more.length > 0 ? triageChunk(more) : undefined;
      await pending;
      await heartbeat();
    }
  }

  /** triage() in slices, yielding between them so the current chunk's queries progress meanwhile. */
  async function triageChunk(records: readonly ConsumedRecord[]): Promise<Triage & { lastOffset: string }> {
    const out: Triage = { events: [], dead: [], deadRows: [] };
    for (let i = 0; i < records.length; i += TRIAGE_SLICE) {
      const t = triage(records.slice(i, i + TRIAGE_SLICE));
      out.events.push(...t.events);
      out.dead.push(...t.dead);
      out.deadRows.push(...t.deadRows);
      await new Promise((r) => setImmediate(r));
    }
    return { ...out, lastOffset: records[records.length - 1]!.offset };
  }

  async function writeChunk(batch: RecordBatch, chunk: Triage & { lastOffset: string }): Promise<void> {
    const { events, dead, deadRows } = chunk;
    if (dead.length > 0) {
      await dlq.send(dead);
      log.warn({ partition: batch.partition, dead_lettered: dead.length }, 'records sent to the DLQ');
    }
    await partitions.ensureFor(events.map((e) => e.content.occurred_at));
    const result = await writeWithPool(pool, partitions, {
      groupId: opts.groupId,
      topic: batch.topic,
      partition: batch.partition,
      events,
      deadLetters: deadRows,
      lastOffset: chunk.lastOffset,
      method: opts.insertMethod ?? 'copy',
    });
    written.set(batch.partition, BigInt(result.nextOffset));
    stats.add(result, dead.length);
    opts.onBatchCommitted?.(result, batch);
    commitOffset(batch.topic, batch.partition, result.nextOffset);
  }

  /**
   * The Kafka offset, after the transaction, off the batch's path: the next batch need not wait for the group
   * coordinator (the database checkpoint is the truth; Kafka's offset only saves a filtered re-read). Chained per
   * partition so commits reach Kafka in order; stop() waits for them.
   */
  const commits = new Map<number, Promise<void>>();
  function commitOffset(topic: string, partition: number, offset: string): void {
    const next = (commits.get(partition) ?? Promise.resolve())
      .then(() => consumer.commit([{ topic, partition, offset }]))
      .catch((err: unknown) =>
        log.warn({ err, partition }, 'Kafka offset commit failed (the database checkpoint holds)'),
      );
    commits.set(partition, next);
  }

  await consumer.connect();
  await consumer.run({
    topics: [opts.topic],
    fromBeginning: true,
    onAssigned,
    handler: (batch, ctx) => handle(batch, ctx.heartbeat),
  });
  log.info({ topic: opts.topic, group: opts.groupId }, 'audit-writer consuming');

  return {
    stats,
    async stop() {
      clearInterval(refresh);
      try {
        await Promise.all(commits.values());
        await consumer.disconnect();
        await dlq.disconnect();
      } finally {
        // Even when the clients fail to close: an open pool would keep connections (and this process) alive.
        stats.flush();
        await pool.end();
      }
    },
  };
}

interface Triage {
  events: { offset: string; content: EventContent }[];
  /** For the DLQ topic. */
  dead: EventRecord[];
  /** For audit.dead_letters, written in the batch's transaction: the trail says what it could not store. */
  deadRows: DeadLetterRow[];
}

/** Valid events to write, and dead letters (not JSON, unknown major, schema failure, unstorable text). */
export function triage(records: readonly ConsumedRecord[]): Triage {
  const out: Triage = { events: [], dead: [], deadRows: [] };
  const bury = (r: ConsumedRecord, reason: string) => {
    out.dead.push(deadLetterOf(r, reason));
    out.deadRows.push(deadLetterRow(r, reason));
  };
  for (const r of records) {
    const decoded = decodeRecord(r);
    if (!decoded.ok) {
      bury(r, decoded.reason);
      continue;
    }
    if (r.value && hasEncodedNul(r.value)) {
      bury(r, 'unstorable: a string contains U+0000, which Postgres text/jsonb refuse');
      continue;
    }
    out.events.push({ offset: r.offset, content: contentOf(decoded.event, r) });
  }
  return out;
}

async function writeWithPool(
  pool: pg.Pool,
  partitions: PartitionKeeper,
  input: Parameters<typeof writeBatch>[1],
): Promise<BatchResult> {
  const client = await pool.connect();
  try {
    return await writeBatch(client, input);
  } catch (err) {
    // 23514: no partition for a row (retention dropped a month this process thought it had created).
    if (
      (err as DicomtrailError).cause &&
      ((err as DicomtrailError).cause as { code?: string }).code === '23514'
    ) {
      partitions.forget();
    }
    throw err;
  } finally {
    client.release();
  }
}
