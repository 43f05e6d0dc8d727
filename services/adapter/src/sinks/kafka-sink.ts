/**
 * Every event envelope to Kafka (`dicomtrail.events.v1`, key = association id, headers `type` and `schema`).
 *
 * `write` is synchronous and never waits for the broker: it builds the envelope, validates it against
 * schemas/ (an invalid envelope is a bug: logged with its errors, counted, not sent) and queues the record;
 * with an envelope thread (envelope-thread.ts, createKafkaSink's default) that work is done there and the
 * records are queued when they come back, in the order the events were written.
 * One background loop sends batches in queue order, one at a time (with the producer's single in-flight
 * request this keeps each association's `seq` order in its partition). A failed batch stays at the head of
 * the queue and is sent again after a back-off. When the queue reaches `maxQueue`, new records go to
 * `onUndeliverable` (the durable spool's seam) or, without one, are counted as dropped. `close` flushes within
 * a bounded time and hands what is left to `onUndeliverable` (or counts it as dropped).
 *
 * State changes are logged once each: connected (info), degraded (warn), recovered (warn), queue full (warn).
 *
 * With a durable `spool` (spool.ts): when the broker fails (a connect or a batch) or the queue passes
 * `spoolThreshold`, the sink starts *spooling*: the queued records behind the batch in flight, and every
 * new record, are appended to the spool instead of memory (`write` stays synchronous: the append promise
 * is tracked; a failed append is counted as not recorded and logged). When Kafka answers again, the rest
 * of the memory queue is sent first (it is older), then the spool is replayed in order (*draining*), each
 * batch acknowledged to the spool after Kafka acknowledged it; new records keep going to the spool until
 * a replay pass finds nothing new, then the sink switches back to direct. A spool that holds records at
 * start-up (an earlier run ended mid-outage) is drained the same way before anything newer is sent.
 * Known limit: records still in memory when the sink is closed while spooling (the batch in flight) are
 * appended after newer spooled records; consumers dedupe on `id` and order by `seq`.
 */

import path from 'node:path';
import {
  createEventProducer,
  createKafka,
  DEFAULT_CLIENT_RETRY,
  dlqTopicOf,
  type EventProducer,
  type EventRecord,
  ensureTopics,
  HEADER_SCHEMA,
  HEADER_TYPE,
  type KafkaClientName,
  type KafkaSecurity,
  PlatformaticEventProducer,
  ThreadedEventProducer,
} from '@dicomtrail/event-log';
import type { Logger } from '@dicomtrail/runtime';
import { compileValidators, type DicomtrailEvent, type EventType, SCHEMA_ID } from '@dicomtrail/schemas';
import type { AdapterEvent, EventSink } from '../association/types.js';
import { resolveHere } from '../dataset/deferred-dicom-json.js';
import type { NodeInfo } from '../events/envelope.js';
import { DeadLetters, localDeadLetterFile } from './dead-letters.js';
import { encodeEnvelope } from './envelope-encoder.js';
import { EnvelopeThread, type InvalidEvent } from './envelope-thread.js';
import type { Spool } from './spool.js';

/** Where new records go: memory (direct), the spool while Kafka is away, the spool while it is replayed. */
export type DeliveryMode = 'direct' | 'spooling' | 'draining';

export type PublisherState = 'connecting' | 'connected' | 'degraded' | 'closed';

/** Why records were handed to `onUndeliverable`: the queue was full, or the sink closed before they were sent. */
export type UndeliverableReason = 'overflow' | 'shutdown';

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
  /** Envelopes that did not validate (never sent). */
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
   * Builds, checks against schemas/ and serialises the envelopes off the DICOM thread (envelope-thread.ts):
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
  readonly #producer: EventProducer;
  readonly #node: NodeInfo;
  readonly #log: Logger;
  readonly #types: ReadonlySet<EventType> | undefined;
  readonly #setup: (() => Promise<void>) | undefined;
  readonly #maxQueue: number;
  readonly #batchMax: number;
  readonly #lingerMs: number;
  readonly #closeTimeoutMs: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #onUndeliverable: KafkaSinkOptions['onUndeliverable'];
  readonly #spool: Spool | undefined;
  readonly #spoolThreshold: number;
  readonly #encoder: EnvelopeThread | undefined;
  readonly #deadLetters: DeadLetters | undefined;
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
  #state: PublisherState = 'connecting';
  #connected = false;
  #setupDone = false;
  #closing = false;
  #stopped = false;
  #overflowing = false;
  #degradedAt = 0;
  #signal: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  #produced = 0;
  #failed = 0;
  #dropped = 0;
  #handedOff = 0;
  #invalid = 0;
  #lastBatchMs: number | undefined;
  #lastLagMs: number | undefined;
  readonly #latencies: number[] = [];
  #latencyNext = 0;

  constructor(opts: KafkaSinkOptions) {
    this.#producer = opts.producer;
    this.#node = opts.node;
    this.#log = opts.log.child({ component: 'kafka-sink' });
    this.#types = opts.types && opts.types.length > 0 ? new Set(opts.types) : undefined;
    this.#encoder = opts.encoder;
    this.#deadLetters = opts.deadLetters;
    this.#encoder?.start((records, invalid) => this.#acceptEncoded(records, invalid));
    // Before the first association, not on its first event: `write` must return at once.
    if (!this.#encoder) compileValidators(opts.types && opts.types.length > 0 ? opts.types : undefined);
    this.#setup = opts.setup;
    this.#maxQueue = opts.maxQueue ?? 100_000;
    this.#batchMax = opts.batchMax ?? 500;
    this.#lingerMs = opts.lingerMs ?? 10;
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
    this.#backoffMs = opts.backoffMs ?? 200;
    this.#maxBackoffMs = opts.maxBackoffMs ?? 5000;
    this.#onUndeliverable = opts.onUndeliverable;
    this.#spool = opts.spool;
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
    this.#loop ??= this.#run().catch((err: unknown) => {
      this.#log.error({ err }, 'kafka publisher loop failed');
    });
    return this;
  }

  /** Resolves when connected, or false after `timeoutMs`. */
  async connected(timeoutMs: number): Promise<boolean> {
    const t0 = Date.now();
    while (!this.#connected && !this.#stopped && Date.now() - t0 < timeoutMs) await sleep(20);
    return this.#connected;
  }

  get state(): PublisherState {
    return this.#state;
  }

  stats(): KafkaSinkStats {
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    return {
      state: this.#state,
      produced: this.#produced,
      failed: this.#failed,
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
      this.#enqueue({
        key: event.association.id,
        value: Buffer.from(r.json),
        headers: { [HEADER_TYPE]: event.type, [HEADER_SCHEMA]: SCHEMA_ID },
      });
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

  /** Events whose envelope is not schema-valid: counted and logged (the first ten of each batch), not sent. */
  #rejected(invalid: readonly InvalidEvent[]): void {
    this.#invalid += invalid.length;
    for (const { event, code, errors } of invalid.slice(0, 10))
      this.#log.error(
        { type: event.type, seq: event.seq, association_id: event.association.id, code, errors },
        'event envelope is not schema-valid: not published (a bug)',
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
    this.#notify();
    const loop = this.#loop;
    if (loop) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([loop, new Promise<void>((r) => (timer = setTimeout(r, this.#closeTimeoutMs)))]);
      clearTimeout(timer);
    }
    this.#stopped = true;
    this.#notify();
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
    if (this.#connected) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#producer
          .disconnect()
          .catch((err: unknown) => this.#log.warn({ err }, 'kafka disconnect failed')),
        new Promise<void>((r) => (timer = setTimeout(r, 2000))),
      ]);
      clearTimeout(timer);
    }
    this.#connected = false;
    await this.#deadLetters?.close();
    await this.#encoder?.close();
    this.#state = 'closed';
    const { produced, failed, dropped, handedOff, invalid } = this.stats();
    this.#log.info({ produced, failed, dropped, handed_off: handedOff, invalid }, 'kafka publisher closed');
  }

  #enqueue(record: EventRecord): void {
    if (this.#stopped) {
      if (this.#spool) this.#append(record);
      else this.#handOff([record], 'shutdown');
      return;
    }
    const size = this.#queue.length - this.#head;
    if (this.#spool) {
      if (this.#mode === 'direct' && (this.#state === 'degraded' || size >= this.#spoolThreshold)) {
        this.#startSpooling(this.#state === 'degraded' ? 'kafka unreachable' : 'queue above threshold');
      }
      if (this.#mode !== 'direct') {
        this.#append(record);
        if (size === 0) this.#notify();
        return;
      }
    }
    if (size >= this.#maxQueue) {
      if (!this.#overflowing) {
        this.#overflowing = true;
        this.#log.warn(
          { max_queue: this.#maxQueue, state: this.#state, spooled: this.#onUndeliverable !== undefined },
          this.#onUndeliverable
            ? 'kafka publisher queue full: handing events to the spool'
            : 'kafka publisher queue full: dropping events',
        );
      }
      this.#handOff([record], 'overflow');
      return;
    }
    this.#queue.push({ record, at: performance.now() });
    if (size === 0 || size + 1 === this.#batchMax) this.#notify();
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

  async #run(): Promise<void> {
    let backoff = this.#backoffMs;
    while (!this.#stopped) {
      if (!this.#connected) {
        try {
          if (!this.#setupDone && this.#setup) await this.#setup();
          this.#setupDone = true;
          await this.#producer.connect();
          if (this.#stopped) return;
          this.#connected = true;
          backoff = this.#backoffMs;
          this.#up();
        } catch (err) {
          if (this.#stopped) return;
          this.#down(err);
          await this.#wait(backoff);
          backoff = Math.min(backoff * 2, this.#maxBackoffMs);
          continue;
        }
      }
      const size = this.#queue.length - this.#head;
      if (size === 0 && this.#spool && this.#mode !== 'direct' && !this.#closing) {
        const sent = await this.#drain();
        if (this.#stopped) return;
        if (sent < 0) {
          await this.#wait(backoff);
          backoff = Math.min(backoff * 2, this.#maxBackoffMs);
        } else {
          backoff = this.#backoffMs;
          // Appends still on their way to disk: give them a moment instead of spinning.
          if (sent === 0 && this.mode !== 'direct') await sleep(5);
        }
        continue;
      }
      if (size === 0) {
        if (this.#closing) return;
        await this.#wait();
        continue;
      }
      const oldest = this.#queue[this.#head] as Queued;
      if (!this.#closing && size < this.#batchMax) {
        const linger = oldest.at + this.#lingerMs - performance.now();
        if (linger > 0) {
          await this.#wait(linger);
          continue;
        }
      }
      const batch = this.#queue.slice(this.#head, this.#head + this.#batchMax);
      const t0 = performance.now();
      this.#inflight = batch.length;
      try {
        await this.#send(batch.map((q) => q.record));
      } catch (err) {
        if (this.#stopped) return;
        this.#failed += 1;
        this.#startSpooling('send failed');
        this.#inflight = 0;
        this.#down(err);
        await this.#wait(backoff);
        backoff = Math.min(backoff * 2, this.#maxBackoffMs);
        continue;
      }
      this.#inflight = 0;
      // Closed while this batch was in flight: its records were already handed off (a duplicate by id at worst).
      if (this.#stopped) return;
      const now = performance.now();
      this.#head += batch.length;
      if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#produced += batch.length;
      this.#recordLatency(now - t0, now - oldest.at);
      backoff = this.#backoffMs;
      this.#up();
    }
  }

  /**
   * One replay pass over the spool: batches sent in seq order, each acknowledged to the spool after Kafka
   * acknowledged it. Returns the records yielded, or -1 when a send failed (the caller backs off; the pass
   * starts again at the watermark). When a pass finds nothing new and no append is pending, the sink goes back to direct.
   */
  async #drain(): Promise<number> {
    const spool = this.#spool as Spool;
    const lastBefore = spool.lastSeq;
    let yielded = 0;
    let batch: { seq: number; record: EventRecord }[] = [];
    const flush = async (): Promise<boolean> => {
      if (batch.length === 0) return true;
      const t0 = performance.now();
      try {
        await this.#send(batch.map((b) => b.record));
      } catch (err) {
        this.#failed += 1;
        this.#down(err);
        this.#mode = 'spooling';
        return false;
      }
      const now = performance.now();
      this.#recordLatency(now - t0, now - t0);
      this.#produced += batch.length;
      this.#replayedCount += batch.length;
      // spooling → draining once Kafka took a replayed batch (attempts while it is away change nothing).
      if (this.#mode === 'spooling') {
        this.#mode = 'draining';
        this.#log.warn(
          { spool_records: spool.records, spool_bytes: spool.bytes },
          'kafka publisher draining the spool',
        );
      }
      const last = (batch[batch.length - 1] as { seq: number }).seq;
      batch = [];
      this.#up();
      try {
        await spool.ack(last);
      } catch (err) {
        this.#log.error({ err, seq: last }, 'event spool ack failed (the records will be sent again)');
      }
      return true;
    };
    const gen = spool.replay();
    try {
      for await (const r of gen) {
        if (this.#stopped) return yielded;
        yielded += 1;
        const record = decodeSpooled(r.key, r.payload);
        if (!record) {
          this.#replaySkipped += 1;
          this.#log.error({ seq: r.seq }, 'spooled record is not an event envelope: skipped');
          continue;
        }
        batch.push({ seq: r.seq, record });
        if (batch.length >= this.#batchMax && !(await flush())) return -1;
      }
      if (!(await flush())) return -1;
    } catch (err) {
      this.#log.error({ err }, 'event spool replay failed; retrying');
      return -1;
    } finally {
      await gen.return(undefined);
    }
    if (this.#stopped) return yielded;
    // Caught up: nothing new in this pass, no append pending, nothing made durable since it began.
    if (yielded === 0 && this.#spoolPending === 0 && spool.lastSeq === lastBefore) {
      this.#mode = 'direct';
      this.#recoveries += 1;
      this.#log.warn(
        { replayed: this.#replayedCount, skipped: this.#replaySkipped, corrupt: spool.corruptRecords },
        'kafka publisher recovered: spool drained, events go directly to Kafka',
      );
      // Corrupt records at the tail were skipped: move the watermark past them.
      if (spool.lastSeq > spool.ackedSeq) await spool.ack(spool.lastSeq).catch(() => undefined);
    }
    return yielded;
  }

  /** One batch to Kafka; records it refuses for good are dead-lettered (dead-letters.ts), not retried. */
  #send(records: readonly EventRecord[]): Promise<void> {
    const send = (r: readonly EventRecord[]) => this.#producer.send(r);
    return this.#deadLetters ? this.#deadLetters.deliver(send, records) : send(records);
  }

  #recordLatency(batchMs: number, lagMs: number): void {
    this.#lastBatchMs = batchMs;
    this.#lastLagMs = lagMs;
    if (this.#latencies.length < LATENCY_WINDOW) this.#latencies.push(batchMs);
    else this.#latencies[this.#latencyNext] = batchMs;
    this.#latencyNext = (this.#latencyNext + 1) % LATENCY_WINDOW;
  }

  /** connecting → connected, or degraded → recovered (each logged once). */
  #up(): void {
    if (this.#overflowing && this.#queue.length - this.#head < this.#maxQueue) this.#overflowing = false;
    if (this.#state === 'connected') return;
    if (this.#state === 'degraded') {
      this.#log.warn(
        {
          down_ms: Math.round(Date.now() - this.#degradedAt),
          queued: this.#queue.length - this.#head,
          dropped: this.#dropped,
          handed_off: this.#handedOff,
        },
        'kafka publisher recovered',
      );
    } else {
      this.#log.info('kafka publisher connected');
    }
    this.#state = 'connected';
  }

  #down(err: unknown): void {
    if (this.#spool) this.#startSpooling('kafka unreachable');
    if (this.#state === 'degraded') return;
    this.#state = 'degraded';
    this.#degradedAt = Date.now();
    this.#log.warn(
      { err: err instanceof Error ? err.message : String(err), queued: this.#queue.length - this.#head },
      this.#spool
        ? 'kafka publisher degraded: events go to the spool'
        : 'kafka publisher degraded: events are queued in memory',
    );
  }

  /** Sleeps until notified (a write, close) or `ms` elapses. */
  #wait(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        if (this.#signal === done) this.#signal = undefined;
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(done, ms);
      this.#signal = done;
    });
  }

  #notify(): void {
    this.#signal?.();
  }
}

/** A spooled envelope back into a record (headers from the envelope itself); undefined if it is not one. */
function decodeSpooled(key: string, payload: Buffer): EventRecord | undefined {
  try {
    const env = JSON.parse(payload.toString('utf8')) as { type?: unknown; schema?: unknown };
    if (typeof env.type !== 'string' || env.schema === undefined) return undefined;
    return { key, value: payload, headers: { [HEADER_TYPE]: env.type, [HEADER_SCHEMA]: String(env.schema) } };
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

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
  onUndeliverable?: KafkaSinkOptions['onUndeliverable'];
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
  /** Batch compression (default gzip). */
  compression?: 'gzip' | 'none';
  /**
   * Nice value of the envelope and producer threads (Linux, 0-19; default unchanged): below the DICOM thread,
   * so that the scheduler serves clinical traffic first when the CPUs are busy.
   */
  threadNice?: number;
  /** TLS and SASL towards the brokers (event-log's kafka-security.ts); unset: plaintext. */
  security?: KafkaSecurity;
  /** The envelope thread's own nice value, when it differs (sync durability: it is on the answers' path). */
  encoderNice?: number;
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
  const compression = cfg.compression ? { compression: cfg.compression } : {};
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
  const encoderNice = cfg.encoderNice ?? cfg.threadNice;
  const encoder = threaded
    ? new EnvelopeThread({
        node: cfg.node,
        log: cfg.log,
        ...(encoderNice !== undefined ? { nice: encoderNice } : {}),
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
