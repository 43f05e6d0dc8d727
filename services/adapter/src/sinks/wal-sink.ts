/**
 * Every event through the write-ahead log (AUDIT_DURABILITY=sync, the default): one path, whatever Kafka does.
 *
 *   write → envelope (envelope thread) → append to the log (spool.ts, group commit, fdatasync)
 *         → publisher: batches in log order to Kafka → acknowledge the log (trim) once Kafka acknowledged
 *
 * `durable(association)` resolves once every event written so far is in the log (durability-barrier.ts):
 * the association waits on it before a DIMSE response, an A-ASSOCIATE-AC or an A-RELEASE-RP, so nothing
 * is acknowledged to a peer that the log does not hold. An event that cannot be appended (disk full, I/O
 * error) makes its association's wait reject (fail-closed) or is counted and logged as not recorded
 * (fail-open, which then waits for nothing that failed).
 *
 * The publisher sends from memory the records it saw made durable (a cache of the log's tail, at most
 * `maxMemory` records) and reads the log itself for the rest: records left by an earlier run, and records
 * made durable while the cache was full (Kafka away for long). Each batch Kafka acknowledged moves the log's
 * watermark, with a checkpoint of the associations still open (open-associations.ts); a crash between the
 * two sends that batch again, with the same envelope ids, which the audit writer drops.
 *
 * `recover()`, before the first association: folds the log after the checkpoint and records
 * EVT_ASSOCIATION_INTERRUPTED for every association it shows open (cut off by the crash of the node), and
 * returns the C-STOREs those associations had in flight (the request in the log, the EVT_C_STORE not), so
 * the store can drop instances no durable event records (archive/unrecorded-instances.ts).
 */
import { type EventProducer, type EventRecord, HEADER_SCHEMA, HEADER_TYPE } from '@dicomtrail/event-log';
import type { Logger } from '@dicomtrail/runtime';
import type { DicomtrailEvent, EventType } from '@dicomtrail/schemas';
import type { AdapterEvent, EventSink } from '../association/types.js';
import { resolveHere } from '../dataset/deferred-dicom-json.js';
import { utcTimestamp } from '../events/clock.js';
import type { NodeInfo } from '../events/envelope.js';
import type { DeadLetters } from './dead-letters.js';
import { DurabilityBarrier } from './durability-barrier.js';
import { encodeEnvelope } from './envelope-encoder.js';
import { type EnvelopeThread, type InvalidEvent, recordOf } from './envelope-thread.js';
import {
  type LoggedEvent,
  loggedEventOf,
  type OpenAssociation,
  OpenAssociations,
  storingOf,
} from './open-associations.js';
import type { Spool } from './spool.js';

export interface WalSinkOptions {
  producer: EventProducer;
  spool: Spool;
  node: NodeInfo;
  log: Logger;
  /** Event types to publish; undefined or empty publishes all. */
  types?: readonly EventType[];
  encoder?: EnvelopeThread;
  /** Run before the first connect and retried with it (e.g. create the topic). */
  setup?: () => Promise<void>;
  /** fail-open: an event that cannot be appended is counted and logged, its association is not failed. */
  failOpen?: boolean;
  /** Durable records kept in memory for the publisher (default 100000); beyond, it reads the log. */
  maxMemory?: number;
  /** Records per Kafka batch (default 500) and how long the first waits for company (default 10 ms). */
  batchMax?: number;
  lingerMs?: number;
  /** Back-off after a failed connect or send, doubling up to the max (200, 5000 ms). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How long `close` gives the publisher to send what the log holds (default 5000 ms). */
  closeTimeoutMs?: number;
  /** Records Kafka refuses for good go there instead of being sent again forever (dead-letters.ts). */
  deadLetters?: DeadLetters;
}

/**
 * The log's watermark moves at most this often while records flow (each ack is a file written, fdatasync'd
 * and renamed, in turn with the commits that answers wait on). A crash sends at most that much again.
 */
const ACK_INTERVAL_MS = 200;

/** A durable record and what the open-association fold needs of it. */
interface Logged {
  seq: number;
  record: EventRecord;
  /** Undefined for a node-scoped event (no association to fold). */
  event: LoggedEvent | undefined;
  /** performance.now() when it was made durable (for the lag). */
  at: number;
}

export interface WalSinkStats {
  state: 'connecting' | 'connected' | 'degraded' | 'closed';
  /** Records Kafka acknowledged; batches that failed (sent again). */
  produced: number;
  failed: number;
  /** Events made durable in the log; events that could not be (not recorded); invalid envelopes. */
  logged: number;
  notRecorded: number;
  invalid: number;
  /** Durable records not yet acknowledged by Kafka; of them in memory. */
  backlog: number;
  inMemory: number;
  /** Records read back from the log's files (an earlier run's, or beyond the memory cache). */
  readFromLog: number;
  /** Answers waiting for their events to be durable. */
  waiting: number;
  lastBatchMs: number | undefined;
  lastLagMs: number | undefined;
}

/** What a restart found: the associations the crash cut off, and their C-STOREs in flight. */
export interface Recovery {
  interrupted: OpenAssociation[];
  storing: { association_id: string; sop_instance_uid: string; at: string }[];
}

export class WalSink implements EventSink {
  readonly acceptsDeferred = true;
  readonly #producer: EventProducer;
  readonly #spool: Spool;
  readonly #node: NodeInfo;
  readonly #log: Logger;
  readonly #types: ReadonlySet<EventType> | undefined;
  readonly #encoder: EnvelopeThread | undefined;
  readonly #setup: (() => Promise<void>) | undefined;
  readonly #failOpen: boolean;
  readonly #maxMemory: number;
  readonly #batchMax: number;
  readonly #lingerMs: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #closeTimeoutMs: number;
  readonly #barrier = new DurabilityBarrier();
  readonly #deadLetters: DeadLetters | undefined;
  /** Events given to the envelope thread, in order, until their records come back. */
  #encoding: AdapterEvent[] = [];
  #encodingHead = 0;
  /** Appends settle in write order through this chain. */
  #settling: Promise<void> = Promise.resolve();
  /** The log's tail in memory, in seq order. */
  #memory: Logged[] = [];
  #memoryHead = 0;
  /** Every record up to this seq is read from the log's files (not in memory). */
  #fromLogUpTo: number;
  /** Highest seq sent to Kafka and acknowledged; highest given to the log as its watermark, and when. */
  #sentUpTo: number;
  #ackedUpTo: number;
  #ackedAt = 0;
  #acking: Promise<void> = Promise.resolve();
  #reader: AsyncGenerator<{ seq: number; key: string; payload: Buffer }> | undefined;
  #retry: Logged[] | undefined;
  readonly #opens: OpenAssociations;
  #state: WalSinkStats['state'] = 'connecting';
  #connected = false;
  #setupDone = false;
  #closing = false;
  #stopped = false;
  #signal: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #closed: Promise<void> | undefined;
  #produced = 0;
  #failed = 0;
  #logged = 0;
  #notRecorded = 0;
  #notRecordedLogged = 0;
  #invalid = 0;
  #readFromLog = 0;
  #lastBatchMs: number | undefined;
  #lastLagMs: number | undefined;

  constructor(opts: WalSinkOptions) {
    this.#producer = opts.producer;
    this.#spool = opts.spool;
    this.#node = opts.node;
    this.#log = opts.log.child({ component: 'event-log' });
    this.#types = opts.types && opts.types.length > 0 ? new Set(opts.types) : undefined;
    this.#encoder = opts.encoder;
    this.#setup = opts.setup;
    this.#failOpen = opts.failOpen ?? false;
    this.#maxMemory = opts.maxMemory ?? 100_000;
    this.#batchMax = opts.batchMax ?? 500;
    this.#lingerMs = opts.lingerMs ?? 10;
    this.#backoffMs = opts.backoffMs ?? 200;
    this.#maxBackoffMs = opts.maxBackoffMs ?? 5000;
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
    this.#deadLetters = opts.deadLetters;
    this.#sentUpTo = this.#spool.ackedSeq;
    this.#ackedUpTo = this.#sentUpTo;
    this.#fromLogUpTo = this.#spool.lastSeq;
    this.#opens = this.#checkpointed();
    this.#encoder?.start((records, invalid) => this.#accept(records, invalid));
  }

  #checkpointed(): OpenAssociations {
    try {
      return OpenAssociations.fromCheckpoint(this.#spool.checkpoint);
    } catch (err) {
      this.#log.error(
        { err },
        'event log checkpoint unreadable: associations open before it cannot be marked interrupted',
      );
      return new OpenAssociations();
    }
  }

  wants(type: EventType): boolean {
    return this.#types === undefined || this.#types.has(type);
  }

  write(event: AdapterEvent): void {
    this.#barrier.wrote();
    this.#encoding.push(event);
    if (this.#encoder) {
      this.#encoder.encode(event);
      return;
    }
    const r = encodeEnvelope(event, this.#node, resolveHere);
    if (r.ok) this.#accept([recordOf(event, Buffer.from(r.json))], []);
    else this.#accept([], [{ event, code: r.code, errors: r.errors }]);
  }

  /**
   * A node-scoped envelope (built and validated by events/node-lifecycle.ts), keyed by the node id: appended to
   * the log after every event written before it, and published from there like every other record.
   */
  writeNodeEvent(event: DicomtrailEvent): void {
    if (!this.wants(event.type)) return;
    const record: EventRecord = {
      key: event.node.id,
      value: Buffer.from(JSON.stringify(event)),
      headers: { [HEADER_TYPE]: event.type, [HEADER_SCHEMA]: event.schema },
    };
    this.#settling = this.#settling
      .then(() => this.#spool.append(record.key, record.value))
      .then(
        (seq) => {
          this.#logged += 1;
          this.#keep({ seq, record, event: undefined, at: performance.now() });
          this.#notify();
        },
        (err: unknown) => {
          this.#notRecorded += 1;
          this.#logNotRecorded(err);
        },
      );
  }

  /** Resolves once every event written so far is durable; rejects if one of this association's is not. */
  durable(associationId: string): Promise<void> | undefined {
    const p = this.#barrier.wait(associationId);
    if (p) this.#encoder?.flush();
    return p;
  }

  /** Records back from the envelope thread (in write order): appended to the log. */
  #accept(records: readonly EventRecord[], invalid: readonly InvalidEvent[]): void {
    const n = records.length + invalid.length;
    const events = this.#encoding.slice(this.#encodingHead, this.#encodingHead + n);
    this.#encodingHead += n;
    if (this.#encodingHead > 4096 && this.#encodingHead * 2 > this.#encoding.length) {
      this.#encoding = this.#encoding.slice(this.#encodingHead);
      this.#encodingHead = 0;
    }
    if (invalid.length > 0) this.#rejected(invalid);
    const bad = invalid.length > 0 ? new Set(invalid.map((i) => i.event)) : undefined;
    const valid = bad ? events.filter((e) => !bad.has(e)) : events;
    const appends = records.map((r) => {
      try {
        return this.#spool.append(r.key, r.value);
      } catch (err) {
        return Promise.reject(err);
      }
    });
    const end = this.#barrier.written - (this.#encoding.length - this.#encodingHead);
    this.#settling = this.#settling
      .then(() => Promise.allSettled(appends))
      .then((results) => this.#settle(results, records, valid, end));
  }

  #settle(
    results: PromiseSettledResult<number>[],
    records: readonly EventRecord[],
    events: readonly AdapterEvent[],
    end: number,
  ): void {
    const failures: { key: string; err: unknown }[] = [];
    const now = performance.now();
    for (let i = 0; i < results.length; i++) {
      const r = results[i] as PromiseSettledResult<number>;
      const record = records[i] as EventRecord;
      if (r.status === 'rejected') {
        this.#notRecorded += 1;
        if (!this.#failOpen) failures.push({ key: record.key, err: r.reason });
        this.#logNotRecorded(r.reason);
        continue;
      }
      this.#logged += 1;
      this.#keep({ seq: r.value, record, event: loggedOf(events[i] as AdapterEvent, this.#node), at: now });
    }
    this.#barrier.settle(end, failures);
    this.#notify();
  }

  /** A durable record into the memory tail, or (memory full) left for the publisher to read from the log. */
  #keep(l: Logged): void {
    const size = this.#memory.length - this.#memoryHead;
    if (size >= this.#maxMemory || l.seq <= this.#fromLogUpTo) {
      if (size > 0) {
        this.#memory = [];
        this.#memoryHead = 0;
        this.#log.warn(
          { in_memory: size, max_memory: this.#maxMemory },
          'event log backlog beyond memory: the publisher reads it from the log',
        );
      }
      this.#fromLogUpTo = Math.max(this.#fromLogUpTo, l.seq);
      return;
    }
    this.#memory.push(l);
  }

  #logNotRecorded(err: unknown): void {
    // Loud, but not one line per event: the first failure, then every 1000th.
    if (this.#notRecordedLogged !== 0 && this.#notRecorded - this.#notRecordedLogged < 1000) return;
    this.#notRecordedLogged = this.#notRecorded;
    this.#log.error(
      {
        err: err instanceof Error ? err.message : String(err),
        code: (err as { code?: string }).code,
        not_recorded: this.#notRecorded,
        policy: this.#failOpen ? 'fail-open' : 'fail-closed',
      },
      this.#failOpen
        ? 'event could not be written to the event log: NOT RECORDED (fail-open: the operation goes on)'
        : 'event could not be written to the event log: its association gets no success',
    );
  }

  #rejected(invalid: readonly InvalidEvent[]): void {
    this.#invalid += invalid.length;
    for (const { event, code, errors } of invalid.slice(0, 10))
      this.#log.error(
        { type: event.type, seq: event.seq, association_id: event.association.id, code, errors },
        'event envelope is not schema-valid: not published (a bug)',
      );
  }

  // ------------------------------------------------------------------------------------ recovery

  /**
   * Folds the log after the checkpoint, records EVT_ASSOCIATION_INTERRUPTED for each association left
   * open, and waits until those are durable. Call once, before serving.
   */
  async recover(): Promise<Recovery> {
    // The first association's answers wait on the envelope thread: have it ready before serving.
    await this.#encoder?.ready();
    const opens = this.#checkpointed();
    let folded = 0;
    for await (const r of this.#spool.replay()) {
      const env = parseEnvelope(r.payload);
      const e = env ? loggedEventOf(env) : undefined;
      if (!e) continue;
      opens.fold(e);
      folded += 1;
    }
    const interrupted = [...opens.values()];
    const storing = interrupted.flatMap((o) =>
      o.storing ? [{ association_id: o.association.id, ...o.storing }] : [],
    );
    for (const o of interrupted) {
      this.write({
        type: 'EVT_ASSOCIATION_INTERRUPTED',
        timestamp: utcTimestamp(),
        seq: o.last_seq + 1,
        association: o.association,
        params: {
          node_id: o.node_id,
          last_seq: o.last_seq,
          last_type: o.last_type,
          last_timestamp: o.last_timestamp,
          detail: 'the node stopped without closing the association (crash, kill or power loss)',
        },
        ...(o.parent ? { parent: o.parent } : {}),
      });
    }
    if (interrupted.length > 0) {
      for (const o of interrupted) await this.durable(o.association.id);
      this.#log.warn(
        {
          interrupted: interrupted.length,
          associations: interrupted.slice(0, 20).map((o) => o.association.id),
          folded,
        },
        'associations cut off by the last stop of the node recorded as interrupted',
      );
    }
    return { interrupted, storing };
  }

  // ----------------------------------------------------------------------------------- publisher

  start(): this {
    this.#loop ??= this.#run().catch((err: unknown) =>
      this.#log.error({ err }, 'event log publisher failed'),
    );
    return this;
  }

  async connected(timeoutMs: number): Promise<boolean> {
    const t0 = Date.now();
    while (!this.#connected && !this.#stopped && Date.now() - t0 < timeoutMs) await sleep(20);
    return this.#connected;
  }

  stats(): WalSinkStats {
    const inMemory = this.#memory.length - this.#memoryHead;
    return {
      state: this.#state,
      produced: this.#produced,
      failed: this.#failed,
      logged: this.#logged,
      notRecorded: this.#notRecorded,
      invalid: this.#invalid,
      backlog: Math.max(0, this.#spool.lastSeq - this.#sentUpTo),
      inMemory,
      readFromLog: this.#readFromLog,
      waiting: this.#barrier.waiting,
      lastBatchMs: this.#lastBatchMs,
      lastLagMs: this.#lastLagMs,
    };
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
      let batch: Logged[] | undefined;
      try {
        batch = this.#retry ?? (await this.#next());
      } catch (err) {
        this.#log.error({ err }, 'event log read failed; retrying');
        this.#reader = undefined;
        await this.#wait(backoff);
        continue;
      }
      if (batch === undefined) {
        // Caught up: the watermark follows at once (an ack waits its turn behind commits, so it is not
        // written after every batch while records flow: at most every ACK_INTERVAL_MS).
        this.#ack();
        if (this.#closing) return;
        await this.#wait(this.#ackPending() ? ACK_INTERVAL_MS : undefined);
        continue;
      }
      if (batch.length === 0) continue; // lingering
      this.#retry = batch;
      const t0 = performance.now();
      try {
        const records = batch.map((l) => l.record);
        const send = (r: readonly EventRecord[]) => this.#producer.send(r);
        await (this.#deadLetters ? this.#deadLetters.deliver(send, records) : send(records));
      } catch (err) {
        if (this.#stopped) return;
        this.#failed += 1;
        this.#down(err);
        await this.#wait(backoff);
        backoff = Math.min(backoff * 2, this.#maxBackoffMs);
        continue;
      }
      this.#retry = undefined;
      backoff = this.#backoffMs;
      const now = performance.now();
      this.#lastBatchMs = now - t0;
      this.#lastLagMs = now - (batch[0] as Logged).at;
      this.#produced += batch.length;
      for (const l of batch) if (l.event) this.#opens.fold(l.event);
      const last = (batch[batch.length - 1] as Logged).seq;
      this.#sentUpTo = last;
      if (performance.now() - this.#ackedAt >= ACK_INTERVAL_MS) this.#ack();
      this.#up();
    }
  }

  /** Moves the log's watermark to what Kafka acknowledged, with the open associations as of there. */
  #ack(): void {
    if (!this.#ackPending()) return;
    const last = this.#sentUpTo;
    this.#ackedUpTo = last;
    this.#ackedAt = performance.now();
    this.#acking = this.#spool
      .ack(last, this.#opens.toCheckpoint())
      .catch((err: unknown) =>
        this.#log.error({ err, seq: last }, 'event log ack failed (those records will be sent again)'),
      );
  }

  #ackPending(): boolean {
    return this.#sentUpTo > this.#ackedUpTo;
  }

  /**
   * The next batch in log order: from the log's files up to `#fromLogUpTo`, then from memory. Undefined:
   * nothing to send; empty: records wait for company (linger).
   */
  async #next(): Promise<Logged[] | undefined> {
    if (this.#sentUpTo < this.#fromLogUpTo) return this.#readLog();
    while (
      this.#memoryHead < this.#memory.length &&
      (this.#memory[this.#memoryHead] as Logged).seq <= this.#sentUpTo
    )
      this.#memoryHead += 1;
    const size = this.#memory.length - this.#memoryHead;
    if (size === 0) {
      this.#memory = [];
      this.#memoryHead = 0;
      return undefined;
    }
    const oldest = this.#memory[this.#memoryHead] as Logged;
    if (!this.#closing && size < this.#batchMax) {
      const linger = oldest.at + this.#lingerMs - performance.now();
      if (linger > 0) {
        await this.#wait(linger);
        return [];
      }
    }
    const batch = this.#memory.slice(this.#memoryHead, this.#memoryHead + this.#batchMax);
    this.#memoryHead += batch.length;
    if (this.#memoryHead > 4096 && this.#memoryHead * 2 > this.#memory.length) {
      this.#memory = this.#memory.slice(this.#memoryHead);
      this.#memoryHead = 0;
    }
    return batch;
  }

  async #readLog(): Promise<Logged[]> {
    this.#reader ??= this.#spool.replay({ after: this.#sentUpTo });
    const batch: Logged[] = [];
    const now = performance.now();
    while (batch.length < this.#batchMax) {
      const { value, done } = await this.#reader.next();
      if (done) {
        this.#reader = undefined;
        break;
      }
      if (value.seq <= this.#sentUpTo) continue;
      const env = parseEnvelope(value.payload);
      const event = env ? loggedEventOf(env) : undefined;
      if (!env || typeof env['type'] !== 'string') {
        this.#log.error({ seq: value.seq }, 'event log record is not an event envelope: skipped');
        this.#sentUpTo = value.seq;
        continue;
      }
      this.#readFromLog += 1;
      const record: EventRecord = {
        key: value.key,
        value: value.payload,
        headers: { [HEADER_TYPE]: env['type'], [HEADER_SCHEMA]: String(env['schema']) },
      };
      batch.push({ seq: value.seq, record, event, at: now });
      if (value.seq >= this.#fromLogUpTo) {
        // Caught up with the log's files: what follows is in memory.
        await this.#reader.return(undefined);
        this.#reader = undefined;
        break;
      }
    }
    if (batch.length === 0 && this.#sentUpTo < this.#fromLogUpTo) {
      // The log ends before what was counted (corrupt records skipped): nothing more to read there.
      this.#fromLogUpTo = this.#sentUpTo;
    }
    return batch;
  }

  #up(): void {
    if (this.#state === 'connected') return;
    if (this.#state === 'degraded')
      this.#log.warn({ backlog: this.stats().backlog }, 'kafka publisher recovered');
    else this.#log.info('kafka publisher connected');
    this.#state = 'connected';
  }

  #down(err: unknown): void {
    if (this.#state === 'degraded') return;
    this.#state = 'degraded';
    this.#log.warn(
      { err: err instanceof Error ? err.message : String(err), backlog: this.stats().backlog },
      'kafka publisher degraded: events stay in the event log until Kafka answers',
    );
  }

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

  // ---------------------------------------------------------------------------------------- close

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    await this.#encoder?.drain();
    await this.#settling;
    this.#closing = true;
    this.#notify();
    if (this.#loop) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#loop,
        new Promise<void>((r) => (timer = setTimeout(r, this.#closeTimeoutMs))),
      ]);
      clearTimeout(timer);
    }
    this.#stopped = true;
    this.#notify();
    this.#ack();
    await this.#acking;
    await this.#reader?.return(undefined);
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
    const { produced, logged, notRecorded, invalid, backlog } = this.stats();
    this.#log.info(
      { produced, logged, not_recorded: notRecorded, invalid, backlog },
      backlog > 0 ? 'event log closed; its backlog is sent at the next start' : 'event log closed',
    );
  }
}

function loggedOf(e: AdapterEvent, node: NodeInfo): LoggedEvent {
  const storing = e.type === 'EVT_DIMSE_RECV' ? storingOf(e.params) : undefined;
  return {
    type: e.type,
    seq: e.seq,
    timestamp: e.timestamp,
    association: e.association,
    node_id: node.id,
    ...(e.parent ? { parent: e.parent } : {}),
    ...(storing ? { storing } : {}),
  };
}

function parseEnvelope(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(payload.toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
