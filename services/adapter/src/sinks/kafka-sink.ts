/**
 * Every event envelope to Kafka (`dicomtrail.events.v1`, key = association id, headers `type` and `schema`),
 * for AUDIT_DURABILITY=async: events queued in memory and sent in batches (what a crash finds queued is lost;
 * `sync`, wal-sink.ts, is the default).
 *
 * `write` is synchronous and never waits for the broker: it builds the envelope (envelope-encoder.ts) and
 * queues the record; with an envelope thread (envelope-thread.ts, createKafkaSink's default) that work is
 * done there and the records are queued when they come back, in the order the events were written.
 * The publisher loop (publisher-loop.ts) sends batches in queue order, one at a time (with the producer's
 * single in-flight request this keeps each association's `seq` order in its partition). A failed batch stays
 * at the head of the queue and is sent again after a back-off. When the queue reaches `maxQueue`, new records
 * go to `onUndeliverable` (the durable spool's seam) or, without one, are counted as dropped. `close` flushes
 * within a bounded time and hands what is left to `onUndeliverable` (or counts it as dropped).
 *
 * With a durable `spool` (spool.ts) the sink is a small machine of delivery modes: when the broker fails (a
 * connect or a batch) or the queue passes `spoolThreshold`, it starts *spooling*: the queued records behind
 * the batch in flight, and every new record, are appended to the spool instead of memory (`write` stays
 * synchronous: the append promise is tracked; a failed append is counted as not recorded and logged). When
 * Kafka answers again, the rest of the memory queue is sent first (it is older), then the spool is replayed in
 * order (*draining*, spool-drain.ts); new records keep going to the spool until a replay pass finds nothing
 * new, then the sink switches back to *direct*. A spool that holds records at start-up (an earlier run ended
 * mid-outage) is drained the same way before anything newer is sent.
 * Known limit: records still in memory when the sink is closed while spooling (the batch in flight) are
 * appended after newer spooled records; consumers dedupe on `id` and order by `seq`.
 */

import { type EventProducer, type EventRecord, HEADER_SCHEMA, HEADER_TYPE } from '@dicomtrail/event-log';
import type { Logger } from '@dicomtrail/runtime';
import { type DicomtrailEvent, type EventType, SCHEMA_ID } from '@dicomtrail/schemas';
import type { AdapterEvent, EventSink } from '../association/types.js';
import { resolveHere } from '../dataset/deferred-dicom-json.js';
import type { NodeInfo } from '../events/envelope.js';
import type { DeadLetters } from './dead-letters.js';
import { encodeEnvelope } from './envelope-encoder.js';
import { type EnvelopeThread, type InvalidEvent, recordOf } from './envelope-thread.js';
import {
  DEFAULT_LINGER_MS,
  type KafkaSinkConfig,
  kafkaParts,
  type UndeliverableReason,
} from './kafka-producers.js';
import { connectionOf, PublisherLoop, type PublisherState, type Step } from './publisher-loop.js';
import type { Spool } from './spool.js';
import { drainPass } from './spool-drain.js';

export type { PublisherState } from './publisher-loop.js';

/** Where new records go: memory (direct), the spool while Kafka is away, the spool while it is replayed. */
export type DeliveryMode = 'direct' | 'spooling' | 'draining';

export type { UndeliverableReason };

export interface KafkaSinkStats {
  state: PublisherState;
  /** Records acknowledged by Kafka. */
  produced: number;
  /** Send attempts (batches) that failed; their records stayed queued and were tried again. */
  failed: number;
  /** Records waiting in memory. */
  queued: number;
  /** Events handed to the envelope thread whose records have not come back yet. */
  encoding: number;
  /** Records neither sent nor handed off (queue full or closed without `onUndeliverable`). */
  dropped: number;
  /** Records given to `onUndeliverable`. */
  handedOff: number;
  /** Events whose envelope could not be built (never sent). */
  invalid: number;
  /** Duration of the last successful send (ms) and the median of the last 101. */
  lastBatchMs: number | undefined;
  medianBatchMs: number | undefined;
  /** From `write` to acknowledgement, for the oldest record of the last batch (ms). */
  lastLagMs: number | undefined;
  /** direct / spooling / draining (always direct without a spool). */
  mode: DeliveryMode;
  /** Records appended to the spool (durable), appends still pending, appends that failed (not recorded). */
  spooled: number;
  spoolPending: number;
  spoolFailed: number;
  /** Spool records sent to Kafka and acknowledged; spool records skipped (corrupt or undecodable). */
  replayed: number;
  replaySkipped: number;
  /** Times the sink went from spooling/draining back to direct. */
  recoveries: number;
}

export interface KafkaSinkOptions {
  producer: EventProducer;
  node: NodeInfo;
  log: Logger;
  /** Event types to publish; undefined or empty publishes all. */
  types?: readonly EventType[];
  /** Run before the first connect and retried with it (e.g. create the topic). */
  setup?: () => Promise<void>;
  /** Records held in memory before overflow (default 100000). */
  maxQueue?: number;
  /** Records per send (default 500) and how long the first record waits for company (default 10 ms). */
  batchMax?: number;
  lingerMs?: number;
  /** How long `close` waits for the queue to drain (default 5000 ms). */
  closeTimeoutMs?: number;
  /** Back-off after a failed connect or send, doubling from `backoffMs` up to `maxBackoffMs` (200, 5000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Where records go that cannot be kept in memory or sent before shutdown (the durable spool). */
  onUndeliverable?: (records: readonly EventRecord[], reason: UndeliverableReason) => void;
  /** Durable spool used while Kafka is unreachable or slow (replaces the overflow to `onUndeliverable`). */
  spool?: Spool;
  /** With a spool: records in memory beyond which new ones are spooled (default `maxQueue`). */
  spoolThreshold?: number;
  /**
   * Builds and serialises the envelopes off the DICOM thread (envelope-thread.ts):
   * `write` only hands the event over, and the records come back in order. Without it `write` does it all.
   */
  encoder?: EnvelopeThread;
  /** Records Kafka refuses for good go there instead of being sent again forever (dead-letters.ts). */
  deadLetters?: DeadLetters;
}

interface Queued {
  record: EventRecord;
  /** performance.now() at write. */
  at: number;
}

const LATENCY_WINDOW = 101;

export class KafkaSink implements EventSink {
  readonly #publisher: PublisherLoop;
  readonly #node: NodeInfo;
  readonly #log: Logger;
  readonly #types: ReadonlySet<EventType> | undefined;
  readonly #maxQueue: number;
  readonly #batchMax: number;
  readonly #lingerMs: number;
  readonly #closeTimeoutMs: number;
  readonly #onUndeliverable: KafkaSinkOptions['onUndeliverable'];
  readonly #spool: Spool | undefined;
  readonly #spoolThreshold: number;
  readonly #encoder: EnvelopeThread | undefined;
  /** The envelope thread (or encodeEnvelope here) decodes a deferred header. */
  readonly acceptsDeferred = true;
  #mode: DeliveryMode = 'direct';
  /** Records of the batch being sent (they stay at the head of the queue until acknowledged). */
  #inflight = 0;
  #spooled = 0;
  #spoolPending = 0;
  #spoolFailed = 0;
  #spoolFailLogged = 0;
  #replayedCount = 0;
  #replaySkipped = 0;
  #recoveries = 0;
  readonly #appends = new Set<Promise<unknown>>();

  #queue: Queued[] = [];
  #head = 0;
  #closing = false;
  #overflowing = false;
  #closed: Promise<void> | undefined;

  #produced = 0;
  #dropped = 0;
  #handedOff = 0;
  #invalid = 0;
  #lastBatchMs: number | undefined;
  #lastLagMs: number | undefined;
  readonly #latencies: number[] = [];
  #latencyNext = 0;

  constructor(opts: KafkaSinkOptions) {
    this.#node = opts.node;
    this.#log = opts.log.child({ component: 'kafka-sink' });
    this.#types = opts.types && opts.types.length > 0 ? new Set(opts.types) : undefined;
    this.#encoder = opts.encoder;
    this.#encoder?.start((records, invalid) => this.#acceptEncoded(records, invalid));
    this.#maxQueue = opts.maxQueue ?? 100_000;
    this.#batchMax = opts.batchMax ?? 500;
    this.#lingerMs = opts.lingerMs ?? DEFAULT_LINGER_MS.async;
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
    this.#onUndeliverable = opts.onUndeliverable;
    this.#spool = opts.spool;
    this.#publisher = new PublisherLoop({
      ...connectionOf(opts),
      log: this.#log,
      degradedMessage: this.#spool
        ? 'kafka publisher degraded: events go to the spool'
        : 'kafka publisher degraded: events are queued in memory',
      describe: () => ({
        queued: this.#queue.length - this.#head,
        dropped: this.#dropped,
        handed_off: this.#handedOff,
      }),
      onDown: () => this.#startSpooling('kafka unreachable'),
    });
    this.#spoolThreshold = opts.spoolThreshold ?? this.#maxQueue;
    if (this.#spool && this.#spool.lastSeq > this.#spool.ackedSeq) {
      this.#mode = 'draining';
      this.#log.warn(
        { spool_records: this.#spool.records, spool_bytes: this.#spool.bytes },
        'event spool holds records from an earlier run: replaying them before newer events',
      );
    }
  }

  get mode(): DeliveryMode {
    return this.#mode;
  }

  /** Resolves when every spool append issued so far has settled. */
  async spoolSettled(): Promise<void> {
    while (this.#appends.size > 0) await Promise.allSettled([...this.#appends]);
  }

  /** Starts connecting and sending in the background (`write` before `start` just queues). */
  start(): this {
    this.#publisher.start(() => this.#step());
    return this;
  }

  /** Resolves when connected, or false after `timeoutMs`. */
  connected(timeoutMs: number): Promise<boolean> {
    return this.#publisher.connected(timeoutMs);
  }

  get state(): PublisherState {
    return this.#publisher.state;
  }

  stats(): KafkaSinkStats {
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    return {
      state: this.#publisher.state,
      produced: this.#produced,
      failed: this.#publisher.failed,
      queued: this.#queue.length - this.#head,
      encoding: this.#encoder?.pending ?? 0,
      dropped: this.#dropped,
      handedOff: this.#handedOff,
      invalid: this.#invalid,
      lastBatchMs: this.#lastBatchMs,
      medianBatchMs: sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)] : undefined,
      lastLagMs: this.#lastLagMs,
      mode: this.#mode,
      spooled: this.#spooled,
      spoolPending: this.#spoolPending,
      spoolFailed: this.#spoolFailed,
      replayed: this.#replayedCount,
      replaySkipped: this.#replaySkipped,
      recoveries: this.#recoveries,
    };
  }

  wants(type: EventType): boolean {
    return this.#types === undefined || this.#types.has(type);
  }

  write(event: AdapterEvent): void {
    if (this.#encoder) {
      this.#encoder.encode(event);
      return;
    }
    try {
      const r = encodeEnvelope(event, this.#node, resolveHere);
      if (!r.ok) {
        this.#rejected([{ event, code: r.code, errors: r.errors }]);
        return;
      }
      this.#enqueue(recordOf(event, Buffer.from(r.json)));
    } catch (err) {
      // Never let a publishing problem reach the DICOM side.
      this.#invalid += 1;
      this.#log.error({ err, type: event.type, seq: event.seq }, 'event could not be encoded: not published');
    }
  }

  /** A node-scoped envelope (validated by its builder), keyed by the node id. */
  writeNodeEvent(event: DicomtrailEvent): void {
    if (!this.wants(event.type)) return;
    this.#enqueue({
      key: event.node.id,
      value: Buffer.from(JSON.stringify(event)),
      headers: { [HEADER_TYPE]: event.type, [HEADER_SCHEMA]: SCHEMA_ID },
    });
  }

  /** Records from the envelope thread, in event order. */
  #acceptEncoded(records: readonly EventRecord[], invalid: readonly InvalidEvent[]): void {
    if (invalid.length > 0) this.#rejected(invalid);
    for (const r of records) this.#enqueue(r);
  }

  /** Events whose envelope could not be built: counted and logged (the first ten of each batch), not sent. */
  #rejected(invalid: readonly InvalidEvent[]): void {
    this.#invalid += invalid.length;
    for (const { event, code, errors } of invalid.slice(0, 10))
      this.#log.error(
        { type: event.type, seq: event.seq, association_id: event.association.id, code, errors },
        'event envelope could not be built: not published (a bug)',
      );
  }

  /** Flushes what is queued within `closeTimeoutMs`, disconnects, hands the rest off (or drops it). */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    // Every event written so far reaches the queue (or the spool) before the final flush.
    await this.#encoder?.drain();
    this.#closing = true;
    await this.#publisher.finish(this.#closeTimeoutMs);
    const rest = this.#queue.slice(this.#head).map((q) => q.record);
    this.#queue = [];
    this.#head = 0;
    if (rest.length > 0) {
      this.#log.warn(
        { records: rest.length, spooled: this.#spool !== undefined || this.#onUndeliverable !== undefined },
        'kafka publisher closed with unsent records',
      );
      if (this.#spool) for (const r of rest) this.#append(r);
      else this.#handOff(rest, 'shutdown');
    }
    await this.spoolSettled();
    await this.#publisher.close();
    await this.#encoder?.close();
    const { produced, failed, dropped, handedOff, invalid } = this.stats();
    this.#log.info({ produced, failed, dropped, handed_off: handedOff, invalid }, 'kafka publisher closed');
  }

  #enqueue(record: EventRecord): void {
    if (this.#publisher.stopped) {
      if (this.#spool) this.#append(record);
      else this.#handOff([record], 'shutdown');
      return;
    }
    const size = this.#queue.length - this.#head;
    if (this.#spool) {
      const degraded = this.#publisher.state === 'degraded';
      if (this.#mode === 'direct' && (degraded || size >= this.#spoolThreshold)) {
        this.#startSpooling(degraded ? 'kafka unreachable' : 'queue above threshold');
      }
      if (this.#mode !== 'direct') {
        this.#append(record);
        if (size === 0) this.#publisher.notify();
        return;
      }
    }
    if (size >= this.#maxQueue) {
      if (!this.#overflowing) {
        this.#overflowing = true;
        this.#log.warn(
          {
            max_queue: this.#maxQueue,
            state: this.#publisher.state,
            spooled: this.#onUndeliverable !== undefined,
          },
          this.#onUndeliverable
            ? 'kafka publisher queue full: handing events to the spool'
            : 'kafka publisher queue full: dropping events',
        );
      }
      this.#handOff([record], 'overflow');
      return;
    }
    this.#queue.push({ record, at: performance.now() });
    if (size === 0 || size + 1 === this.#batchMax) this.#publisher.notify();
  }

  /** direct → spooling: the queued records behind the batch in flight move to the spool, in order. */
  #startSpooling(cause: string): void {
    if (!this.#spool || this.#mode !== 'direct') return;
    this.#mode = 'spooling';
    const from = this.#head + this.#inflight;
    const moved = this.#queue.slice(from).map((q) => q.record);
    this.#queue.length = from;
    for (const r of moved) this.#append(r);
    this.#log.warn(
      { cause, moved: moved.length, in_flight: this.#inflight, spool_bytes: this.#spool.bytes },
      'kafka publisher spooling: events go to the durable spool',
    );
  }

  /** Appends to the spool without waiting (the DICOM side never waits on fsync). */
  #append(record: EventRecord): void {
    const spool = this.#spool;
    if (!spool) return;
    this.#spoolPending += 1;
    let p: Promise<unknown>;
    try {
      p = spool.append(record.key, record.value);
    } catch (err) {
      p = Promise.reject(err);
    }
    const tracked = p.then(
      () => {
        this.#spoolPending -= 1;
        this.#spooled += 1;
      },
      (err: unknown) => {
        this.#spoolPending -= 1;
        this.#spoolFailed += 1;
        // Loud, but not one line per event: the first failure, then every 1000th.
        if (this.#spoolFailed - this.#spoolFailLogged >= 1000 || this.#spoolFailLogged === 0) {
          this.#spoolFailLogged = this.#spoolFailed;
          this.#log.error(
            {
              err: err instanceof Error ? err.message : String(err),
              code: (err as { code?: string }).code,
              not_recorded: this.#spoolFailed,
            },
            'event could not be spooled: NOT RECORDED',
          );
        }
      },
    );
    this.#appends.add(tracked);
    void tracked.finally(() => this.#appends.delete(tracked));
  }

  #handOff(records: EventRecord[], reason: UndeliverableReason): void {
    if (this.#onUndeliverable) {
      try {
        this.#onUndeliverable(records, reason);
        this.#handedOff += records.length;
        return;
      } catch (err) {
        this.#log.error({ err, records: records.length }, 'onUndeliverable failed: records dropped');
      }
    }
    this.#dropped += records.length;
  }

  /** One turn of the publisher (publisher-loop.ts): the spool while draining, else a batch of the queue. */
  async #step(): Promise<Step> {
    const size = this.#queue.length - this.#head;
    if (size === 0 && this.#spool && this.#mode !== 'direct' && !this.#closing)
      return this.#drain(this.#spool);
    if (size === 0) {
      if (this.#closing) return { kind: 'done' };
      await this.#publisher.wait();
      return { kind: 'again' };
    }
    const oldest = this.#queue[this.#head] as Queued;
    if (!this.#closing && size < this.#batchMax) {
      const linger = oldest.at + this.#lingerMs - performance.now();
      if (linger > 0) {
        await this.#publisher.wait(linger);
        return { kind: 'again' };
      }
    }
    const batch = this.#queue.slice(this.#head, this.#head + this.#batchMax);
    const t0 = performance.now();
    this.#inflight = batch.length;
    try {
      await this.#publisher.send(batch.map((q) => q.record));
    } catch (err) {
      this.#inflight = 0;
      if (!this.#publisher.stopped) this.#startSpooling('send failed');
      return { kind: 'failed', err };
    }
    this.#inflight = 0;
    // Closed while this batch was in flight: its records were already handed off (a duplicate by id at worst).
    if (this.#publisher.stopped) return { kind: 'done' };
    const now = performance.now();
    this.#head += batch.length;
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#produced += batch.length;
    this.#recordLatency(now - t0, now - oldest.at);
    if (this.#overflowing && this.#queue.length - this.#head < this.#maxQueue) this.#overflowing = false;
    return { kind: 'sent' };
  }

  /**
   * One replay pass over the spool (spool-drain.ts). When a pass finds nothing new, no append is pending and
   * nothing was appended since it began, the sink goes back to direct.
   */
  async #drain(spool: Spool): Promise<Step> {
    const lastBefore = spool.lastSeq;
    const result = await drainPass(
      spool,
      {
        batchMax: this.#batchMax,
        stopped: () => this.#publisher.stopped,
        send: (records) => this.#publisher.send(records),
        sent: (n, ms) => {
          this.#recordLatency(ms, ms);
          this.#produced += n;
          this.#replayedCount += n;
          // spooling → draining once Kafka took a replayed batch (attempts while it is away change nothing).
          if (this.#mode === 'spooling') {
            this.#mode = 'draining';
            this.#log.warn(
              { spool_records: spool.records, spool_bytes: spool.bytes },
              'kafka publisher draining the spool',
            );
          }
          this.#publisher.up();
        },
        skipped: (seq) => {
          this.#replaySkipped += 1;
          this.#log.error({ seq }, 'spooled record is not an event envelope: skipped');
        },
      },
      this.#log,
    );
    if (this.#publisher.stopped) return { kind: 'done' };
    if ('err' in result) {
      if (result.read) return { kind: 'retry' };
      this.#mode = 'spooling';
      return { kind: 'failed', err: result.err };
    }
    if (result.yielded === 0 && this.#spoolPending === 0 && spool.lastSeq === lastBefore) {
      this.#mode = 'direct';
      this.#recoveries += 1;
      this.#log.warn(
        { replayed: this.#replayedCount, skipped: this.#replaySkipped, corrupt: spool.corruptRecords },
        'kafka publisher recovered: spool drained, events go directly to Kafka',
      );
      // Corrupt records at the tail were skipped: move the watermark past them.
      if (spool.lastSeq > spool.ackedSeq) await spool.ack(spool.lastSeq).catch(() => undefined);
    } else if (result.yielded === 0 && this.#mode !== 'direct') {
      // Appends still on their way to disk: give them a moment instead of spinning.
      await new Promise((r) => setTimeout(r, 5));
    }
    return { kind: 'sent' };
  }

  #recordLatency(batchMs: number, lagMs: number): void {
    this.#lastBatchMs = batchMs;
    this.#lastLagMs = lagMs;
    if (this.#latencies.length < LATENCY_WINDOW) this.#latencies.push(batchMs);
    else this.#latencies[this.#latencyNext] = batchMs;
    this.#latencyNext = (this.#latencyNext + 1) % LATENCY_WINDOW;
  }
}

/**
 * A KafkaSink (AUDIT_DURABILITY=async): the topic is created if missing (partitions, replication) before the
 * producer connects; the producer runs in a worker thread unless `producerThread` is false; started.
 */
export function createKafkaSink(cfg: KafkaSinkConfig): KafkaSink {
  const { producer, encoder, setup, deadLetters } = kafkaParts(cfg);
  const sink = new KafkaSink({
    producer,
    deadLetters,
    ...(encoder ? { encoder } : {}),
    node: cfg.node,
    log: cfg.log,
    types: cfg.types,
    maxQueue: cfg.maxQueue,
    lingerMs: cfg.lingerMs,
    batchMax: cfg.batchMax,
    closeTimeoutMs: cfg.closeTimeoutMs,
    onUndeliverable: cfg.onUndeliverable,
    spool: cfg.spool,
    spoolThreshold: cfg.spoolThreshold,
    maxBackoffMs: cfg.maxBackoffMs,
    setup,
  });
  return sink.start();
}
