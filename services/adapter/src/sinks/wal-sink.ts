/**
 * Every event through the write-ahead log (AUDIT_DURABILITY=sync, the default): one path, whatever Kafka does.
 *
 *   write → envelope encoded on the DICOM thread, queued in memory
 *   work → `logged(association)`: everything queued is written to the log, not synced (a C-STORE, before it
 *            files its instance: the write survives the death of the process, and the answer's sync covers it)
 *   answer → `durable(association)`: if its association's events are not durable yet, everything queued is
 *            written to the log (one write, spool.ts `appendAllNow`) and fdatasync'd, here (group commit)
 *   publisher → batches in log order to Kafka → acknowledge the log (trim) once Kafka acknowledged
 *
 * `durable(association)` is undefined once this association's events written so far are durable, and so
 * every record before them in the log (durability-barrier.ts): the association asks before a DIMSE
 * response, an A-ASSOCIATE-AC or an A-RELEASE-RP, so nothing is acknowledged to a peer that the log does not
 * hold. What other associations write after it is not its to wait for. There is no thread between an event and
 * its record, nor between an answer and its sync: the wait is the write and the fdatasync themselves
 * (wait-breakdown.ts measures them). An event that cannot be written (disk full, I/O error), or a sync that
 * fails, makes its association's answers reject (fail-closed) or is counted and logged as not recorded
 * (fail-open, which then waits for nothing that failed). Records no answer asked for are written, and synced
 * in the thread pool, within `syncDelayMs` (20 ms): a crash may take those, none of which was acknowledged
 * (an association cut there is recorded as interrupted at its last durable event).
 *
 * The publisher sends from memory the records written to the log (a cache of the log's tail, at most
 * `maxMemory` records; a record is in the log, and survives the death of the process, before Kafka sees it)
 * and reads the log itself for the rest: records left by an earlier run, and records
 * written while the cache was full (Kafka away for long). Each batch Kafka acknowledged moves the log's
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
import type { AdapterEvent, AssociationInfo, EventSink } from '../association/types.js';
import { utcTimestamp } from '../events/clock.js';
import type { NodeInfo } from '../events/envelope.js';
import type { DeadLetters } from './dead-letters.js';
import { DurabilityBarrier } from './durability-barrier.js';
import { encodeEnvelopeHere } from './envelope-encoder.js';
import { eventHeaders } from './envelope-thread.js';
import { DEFAULT_LINGER_MS } from './kafka-producers.js';
import { parseEnvelope, recordFromLog } from './log-record.js';
import {
  type LoggedEvent,
  loggedEventOf,
  type OpenAssociation,
  OpenAssociations,
  storingOf,
} from './open-associations.js';
import { connectionOf, PublisherLoop, type PublisherState, type Step } from './publisher-loop.js';
import type { Spool } from './spool.js';
import { nowNs, WaitBreakdown, type WaitBreakdownSnapshot } from './wait-breakdown.js';

export interface WalSinkOptions {
  producer: EventProducer;
  spool: Spool;
  node: NodeInfo;
  log: Logger;
  /** Event types to publish; undefined or empty publishes all. */
  types?: readonly EventType[];
  /** How long a record no answer waited on may stay unsynced (default 20 ms). */
  syncDelayMs?: number;
  /** Run before the first connect and retried with it (e.g. create the topic). */
  setup?: () => Promise<void>;
  /** fail-open: an event that cannot be appended is counted and logged, its association is not failed. */
  failOpen?: boolean;
  /** Records of the log kept in memory for the publisher (default 100000); beyond, it reads the log. */
  maxMemory?: number;
  /** Records per Kafka batch (default 500) and how long the first waits for company (default 50 ms). */
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

/** Queued records are written at once past this many (one write each time). */
const FLUSH_MAX = 1024;

/**
 * One event from its encoding to Kafka's acknowledgement, one object throughout: queued for its write to the
 * log (its `key` and `payload` are what the log writes: spool.ts `SpoolInput`; the envelope's JSON text is
 * encoded into the log's write buffer), then kept for the publisher with its `logSeq` and its value as those
 * bytes of the write (`bytes[start, end)`: the record Kafka gets is what the log holds, not a copy). It is
 * also what the fold of open associations reads once Kafka has it (open-associations.ts `LoggedEvent`: the
 * event's type, seq, timestamp, association, ...), kept in this one object: every event waits here for its
 * batch's acknowledgement, so each object per event more is more for the garbage collector to move.
 */
interface Logged extends LoggedEvent {
  /** Its seq in the log (0 while queued). */
  logSeq: number;
  /** Its number in write order (1, 2, ...), for the durability barrier. */
  n: number;
  key: string;
  /** The envelope's JSON text while queued (empty once written: its bytes are in `bytes`). */
  payload: Uint8Array | string;
  /** The buffer written to the log that holds the value, from `start` to `end`. */
  bytes: Uint8Array;
  start: number;
  end: number;
  /** The record's `type` and `schema` headers (one shared object per event type). */
  headers: Readonly<Record<string, string>>;
  /** False for a node-scoped event, or a record of the log that is not an association's event: nothing to fold. */
  folds: boolean;
  /** The association whose answers wait for it (undefined: a node-scoped event, or one read from the log). */
  barrier: string | undefined;
  /** performance.now() when it was queued (for the lag). */
  at: number;
}

export interface WalSinkStats {
  state: PublisherState;
  /** Records Kafka acknowledged; batches that failed (sent again). */
  produced: number;
  failed: number;
  /** Events written to the log; events that could not be (not recorded); envelopes that could not be built. */
  logged: number;
  notRecorded: number;
  invalid: number;
  /** Records of the log not yet acknowledged by Kafka; of them in memory. */
  backlog: number;
  inMemory: number;
  /** Records read back from the log's files (an earlier run's, or beyond the memory cache). */
  readFromLog: number;
  /** Times a write (or close) woke the publisher: at most once per batch while records flow. */
  publisherWakeups: number;
  /** Records written and not yet fdatasync'd. */
  unsynced: number;
  /** Where the time of the answers' waits goes. */
  breakdown: WaitBreakdownSnapshot;
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
  readonly #publisher: PublisherLoop;
  readonly #failOpen: boolean;
  readonly #maxMemory: number;
  readonly #batchMax: number;
  readonly #lingerMs: number;
  readonly #closeTimeoutMs: number;
  readonly #barrier = new DurabilityBarrier();
  readonly #breakdown = new WaitBreakdown();
  readonly #syncDelayMs: number;
  /**
   * The background sync's timer, made once and restarted (`refresh`) for the first record after each sync: not a
   * timer made and cleared per answer. `#syncArmed`: records no sync covered wait for it; when it fires unarmed
   * (a sync covered them meanwhile), it does nothing.
   */
  #syncTimer: NodeJS.Timeout | undefined;
  #syncArmed = false;
  /** Events encoded and not yet written to the log, in order; their numbers (1, 2, ... in write order). */
  #pending: Logged[] = [];
  #numbered = 0;
  /** Events up to this number were given to the log (written or failed); made durable (synced). */
  #flushedUpTo = 0;
  #durableUpTo = 0;
  /** The log's tail in memory, in seq order. */
  #memory: Logged[] = [];
  #memoryHead = 0;
  /** Every record up to this seq is read from the log's files (not in memory). */
  #fromLogUpTo: number;
  /**
   * The publisher waits for the oldest record's linger to end: writes do not wake it (one wake-up per batch),
   * unless a batch is full.
   */
  #lingering = false;
  /** Highest seq sent to Kafka and acknowledged; highest given to the log as its watermark, and when. */
  #sentUpTo: number;
  #ackedUpTo: number;
  #ackedAt = 0;
  #acking: Promise<void> = Promise.resolve();
  #reader: AsyncGenerator<{ seq: number; key: string; payload: Buffer }> | undefined;
  #retry: Logged[] | undefined;
  readonly #opens: OpenAssociations;
  #closing = false;
  #closed: Promise<void> | undefined;
  #produced = 0;
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
    this.#syncDelayMs = opts.syncDelayMs ?? 20;
    this.#failOpen = opts.failOpen ?? false;
    this.#maxMemory = opts.maxMemory ?? 100_000;
    this.#batchMax = opts.batchMax ?? 500;
    this.#lingerMs = opts.lingerMs ?? DEFAULT_LINGER_MS.sync;
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
    this.#publisher = new PublisherLoop({
      ...connectionOf(opts),
      log: this.#log,
      degradedMessage: 'kafka publisher degraded: events stay in the event log until Kafka answers',
      describe: () => ({ backlog: this.stats().backlog }),
    });
    this.#sentUpTo = this.#spool.ackedSeq;
    this.#ackedUpTo = this.#sentUpTo;
    this.#fromLogUpTo = this.#spool.lastSeq;
    this.#opens = this.#checkpointed();
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

  /**
   * The event's envelope, encoded here, on the DICOM thread (no thread hop), and queued for the log: it is
   * written (one write for every event queued) and made durable when an answer of its association asks
   * through `durable`, or within `syncDelayMs` when none does.
   */
  write(event: AdapterEvent): void {
    const key = event.association.id;
    const t0 = nowNs();
    let json: string;
    try {
      json = encodeEnvelopeHere(event, this.#node);
    } catch (err) {
      this.#rejected(event, err);
      return;
    }
    this.#breakdown.event(nowNs() - t0);
    this.#queue({
      logSeq: 0,
      n: 0,
      key,
      payload: json,
      bytes: EMPTY,
      start: 0,
      end: 0,
      headers: eventHeaders(event.type),
      folds: true,
      barrier: key,
      at: 0,
      type: event.type,
      seq: event.seq,
      timestamp: event.timestamp,
      association: event.association,
      node_id: this.#node.id,
      parent: event.parent,
      storing: event.type === 'EVT_DIMSE_RECV' ? storingOf(event.params) : undefined,
    });
  }

  /**
   * A node-scoped envelope (built and validated by events/node-lifecycle.ts), keyed by the node id: appended to
   * the log after every event written before it, and published from there like every other record.
   */
  writeNodeEvent(event: DicomtrailEvent): void {
    if (!this.wants(event.type)) return;
    this.#queue({
      ...notFolded(event.timestamp),
      key: event.node.id,
      payload: JSON.stringify(event),
      headers: { [HEADER_TYPE]: event.type, [HEADER_SCHEMA]: event.schema },
      type: event.type,
    });
  }

  /** Numbers the event in write order and queues it for the log. */
  #queue(l: Logged): void {
    this.#numbered += 1;
    l.n = this.#numbered;
    if (l.barrier !== undefined) this.#barrier.wrote(l.barrier, l.n);
    l.at = performance.now();
    this.#pending.push(l);
    if (this.#pending.length >= FLUSH_MAX) this.#flush();
    this.#scheduleSync();
  }

  /**
   * Writes the queued records to the log (one write per segment, into the page cache) and hands them to the
   * publisher. Records that could not be written are counted as not recorded, and (fail-closed) their
   * associations' answers fail.
   */
  #flush(): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    const t0 = nowNs();
    const r = this.#spool.appendAllNow(pending, (i, buf, start, end) => {
      const p = pending[i] as Logged;
      p.payload = EMPTY;
      p.bytes = buf;
      p.start = start;
      p.end = end;
    });
    this.#breakdown.appended(nowNs() - t0);
    for (let i = 0; i < r.written; i++) {
      const p = pending[i] as Logged;
      p.logSeq = r.first + i;
      this.#keep(p);
    }
    this.#logged += r.written;
    this.#flushedUpTo = (pending[pending.length - 1] as Logged).n;
    if (r.error !== undefined) {
      const failed = pending.slice(r.written);
      this.#notRecorded += failed.length;
      if (!this.#failOpen)
        for (const p of failed) if (p.barrier !== undefined) this.#barrier.fail(p.barrier, r.error);
      this.#logNotRecorded(r.error);
    }
    if (r.written > 0 && (!this.#lingering || this.#memory.length - this.#memoryHead >= this.#batchMax))
      this.#publisher.notify();
  }

  /**
   * Undefined once this association's events written so far are durable: at once when a sync already covered
   * them, else after writing what is queued and a sync of the log here (every record up to theirs, whoever
   * wrote it: the group commit). A rejected promise when one of them could not be written or made durable
   * (fail-closed).
   */
  durable(associationId: string): Promise<void> | undefined {
    let need = this.#barrier.need(associationId, this.#durableUpTo);
    this.#breakdown.wait(need.kind === 'sync');
    if (need.kind === 'sync') {
      this.#flush();
      this.#syncNow();
      need = this.#barrier.need(associationId, this.#durableUpTo);
    }
    if (need.kind !== 'failed') return undefined;
    return Promise.reject(need.error);
  }

  /**
   * Writes what is queued to the log (one write into the page cache, no sync): from here this association's
   * events survive the death of the process, and the next sync makes them durable. False when one of them
   * could not be written (fail-closed). A C-STORE files its instance after this, and waits for `durable`
   * once, before its response.
   */
  logged(associationId: string): boolean {
    this.#flush();
    this.#breakdown.logged();
    return this.#barrier.need(associationId, this.#durableUpTo).kind !== 'failed';
  }

  /** Writes what is queued and syncs the log on this thread; a failed sync fails every association after the last good one. */
  #syncNow(): void {
    this.#flush();
    const upTo = this.#flushedUpTo;
    if (this.#spool.lastSeq <= this.#spool.syncedSeq) {
      this.#durableUpTo = Math.max(this.#durableUpTo, upTo);
      return;
    }
    const t0 = nowNs();
    try {
      this.#spool.syncNow();
    } catch (err) {
      this.#breakdown.sync(nowNs() - t0);
      this.#syncFailed(err);
      return;
    }
    this.#breakdown.sync(nowNs() - t0);
    this.#durableUpTo = Math.max(this.#durableUpTo, upTo);
    this.#barrier.prune(this.#durableUpTo);
    // Everything written is durable: the background sync waits for the next record no answer asks for.
    this.#syncArmed = false;
  }

  #syncFailed(err: unknown): void {
    this.#notRecorded += Math.max(0, this.#spool.lastSeq - this.#spool.syncedSeq);
    if (!this.#failOpen) this.#barrier.failAfter(this.#durableUpTo, err);
    this.#logNotRecorded(err);
  }

  /**
   * Records no answer waits on (the last events of an association, node events) are written and made durable
   * (in the thread pool) within `syncDelayMs` of the first of them (an answer's sync meanwhile covers them and
   * starts the delay again), so that a crash takes little that was not acknowledged either.
   */
  #scheduleSync(): void {
    if (this.#syncArmed) return;
    this.#syncArmed = true;
    if (this.#syncTimer !== undefined) this.#syncTimer.refresh();
    else this.#syncTimer = setTimeout(() => this.#backgroundSync(), this.#syncDelayMs);
  }

  #backgroundSync(): void {
    if (!this.#syncArmed) return;
    this.#syncArmed = false;
    this.#flush();
    if (this.#spool.lastSeq <= this.#spool.syncedSeq) {
      this.#durableUpTo = Math.max(this.#durableUpTo, this.#flushedUpTo);
      return;
    }
    const upTo = this.#flushedUpTo;
    const target = this.#spool.lastSeq;
    this.#breakdown.backgroundSync();
    this.#spool.syncSoon().then(
      (synced) => {
        if (synced >= target) this.#durableUpTo = Math.max(this.#durableUpTo, upTo);
        else this.#scheduleSync(); // a sync already under way did not cover these: another one
        this.#barrier.prune(this.#durableUpTo);
      },
      (err: unknown) => this.#syncFailed(err),
    );
  }

  /** A durable record into the memory tail, or (memory full) left for the publisher to read from the log. */
  #keep(l: Logged): void {
    const size = this.#memory.length - this.#memoryHead;
    if (size >= this.#maxMemory || l.logSeq <= this.#fromLogUpTo) {
      if (size > 0) {
        this.#memory = [];
        this.#memoryHead = 0;
        this.#log.warn(
          { in_memory: size, max_memory: this.#maxMemory },
          'event log backlog beyond memory: the publisher reads it from the log',
        );
      }
      this.#fromLogUpTo = Math.max(this.#fromLogUpTo, l.logSeq);
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

  #rejected(event: AdapterEvent, err: unknown): void {
    this.#invalid += 1;
    if (this.#invalid > 10 && this.#invalid % 1000 !== 0) return;
    this.#log.error(
      { type: event.type, seq: event.seq, association_id: event.association.id, err },
      'event envelope could not be encoded: not recorded (a bug)',
    );
  }

  // ------------------------------------------------------------------------------------ recovery

  /**
   * Folds the log after the checkpoint, records EVT_ASSOCIATION_INTERRUPTED for each association left
   * open, and waits until those are durable. Call once, before serving.
   */
  async recover(): Promise<Recovery> {
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
    this.#publisher.start(() => this.#step());
    return this;
  }

  connected(timeoutMs: number): Promise<boolean> {
    return this.#publisher.connected(timeoutMs);
  }

  stats(): WalSinkStats {
    const inMemory = this.#memory.length - this.#memoryHead;
    return {
      state: this.#publisher.state,
      produced: this.#produced,
      failed: this.#publisher.failed,
      logged: this.#logged,
      notRecorded: this.#notRecorded,
      invalid: this.#invalid,
      backlog: Math.max(0, this.#spool.lastSeq - this.#sentUpTo),
      inMemory,
      readFromLog: this.#readFromLog,
      publisherWakeups: this.#publisher.wakeups,
      unsynced: this.#pending.length + Math.max(0, this.#spool.lastSeq - this.#spool.syncedSeq),
      breakdown: this.#breakdown.snapshot(),
      lastBatchMs: this.#lastBatchMs,
      lastLagMs: this.#lastLagMs,
    };
  }

  /** One turn of the publisher (publisher-loop.ts): the next batch in log order to Kafka. */
  async #step(): Promise<Step> {
    let batch: Logged[] | undefined;
    try {
      batch = this.#retry ?? (await this.#next());
    } catch (err) {
      this.#log.error({ err }, 'event log read failed; retrying');
      this.#reader = undefined;
      return { kind: 'retry' };
    }
    if (batch === undefined) {
      // Caught up: the watermark follows at once (an ack is a file written and synced, so it is not
      // written after every batch while records flow: at most every ACK_INTERVAL_MS).
      this.#ack();
      if (this.#closing) return { kind: 'done' };
      await this.#publisher.wait(this.#ackPending() ? ACK_INTERVAL_MS : undefined);
      return { kind: 'again' };
    }
    if (batch.length === 0) return { kind: 'again' }; // lingering
    this.#retry = batch;
    const t0 = performance.now();
    try {
      await this.#publisher.send(batch.map(recordOfLogged));
    } catch (err) {
      return { kind: 'failed', err };
    }
    this.#retry = undefined;
    const now = performance.now();
    this.#lastBatchMs = now - t0;
    this.#lastLagMs = now - (batch[0] as Logged).at;
    this.#produced += batch.length;
    for (const l of batch) if (l.folds) this.#opens.fold(l);
    this.#sentUpTo = (batch[batch.length - 1] as Logged).logSeq;
    if (performance.now() - this.#ackedAt >= ACK_INTERVAL_MS) this.#ack();
    return { kind: 'sent' };
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
      (this.#memory[this.#memoryHead] as Logged).logSeq <= this.#sentUpTo
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
        this.#lingering = true;
        try {
          await this.#publisher.wait(linger);
        } finally {
          this.#lingering = false;
        }
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
      const read = recordFromLog(value.key, value.payload);
      if (!read) {
        this.#log.error({ seq: value.seq }, 'event log record is not an event envelope: skipped');
        this.#sentUpTo = value.seq;
        continue;
      }
      this.#readFromLog += 1;
      const { record } = read;
      const event = loggedEventOf(read.envelope);
      batch.push({
        ...(event ? { ...event, folds: true } : notFolded('')),
        logSeq: value.seq,
        n: 0,
        key: record.key,
        payload: EMPTY,
        bytes: record.value,
        start: 0,
        end: record.value.length,
        headers: record.headers,
        barrier: undefined,
        at: now,
      });
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

  // ---------------------------------------------------------------------------------------- close

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    clearTimeout(this.#syncTimer);
    this.#syncTimer = undefined;
    this.#syncArmed = false;
    this.#syncNow();
    this.#closing = true;
    await this.#publisher.finish(this.#closeTimeoutMs);
    this.#ack();
    await this.#acking;
    await this.#reader?.return(undefined);
    await this.#publisher.close();
    const { produced, logged, notRecorded, invalid, backlog } = this.stats();
    this.#log.info(
      { produced, logged, not_recorded: notRecorded, invalid, backlog },
      backlog > 0 ? 'event log closed; its backlog is sent at the next start' : 'event log closed',
    );
  }
}

const EMPTY = new Uint8Array(0);
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
/** The `association` of a record that has none (never folded: `folds` is false). */
const NO_ASSOCIATION: AssociationInfo = Object.freeze({
  id: '',
  role: 'acceptor',
  calling_ae_title: '',
  called_ae_title: '',
  local: Object.freeze({ address: '', port: 0 }),
  remote: Object.freeze({ address: '', port: 0 }),
});

/** The Kafka record of a logged event: its value is a view of the bytes the log holds. */
function recordOfLogged(l: Logged): EventRecord {
  const b = l.bytes;
  return {
    key: l.key,
    value: Buffer.from(b.buffer, b.byteOffset + l.start, l.end - l.start),
    headers: l.headers,
  };
}

/** A record with nothing to fold (a node-scoped event, or a record of the log without an association). */
function notFolded(timestamp: string): Logged {
  return {
    logSeq: 0,
    n: 0,
    key: '',
    payload: EMPTY,
    bytes: EMPTY,
    start: 0,
    end: 0,
    headers: NO_HEADERS,
    folds: false,
    barrier: undefined,
    at: 0,
    type: 'EVT_CONN_OPEN',
    seq: -1,
    timestamp,
    association: NO_ASSOCIATION,
    node_id: '',
    parent: undefined,
    storing: undefined,
  };
}
