/**
 * Envelopes built off the DICOM thread. `encode` only queues the event; once per `lingerMs` (or every
 * `batchMax` events) the queued events go to a worker (envelope-thread-worker.ts) in one message, and it
 * answers with the envelopes' JSON bytes (a deferred data set header decoded there, schema-checked there),
 * which are handed to `onEncoded` as Kafka records, batch after batch in the order the events were given.
 * The envelopes are the ones the sink would have built itself (envelope-encoder.ts, the same function).
 *
 * Should the worker fail or exit, or a batch not cross (postMessage refused it), the batches still waiting
 * are encoded here, in order, and so is everything after (logged once). `drain` resolves once every event
 * given so far was handed to `onEncoded`; after `close` events are encoded here, at once.
 */
import { Worker } from 'node:worker_threads';
import { type EventRecord, HEADER_SCHEMA, HEADER_TYPE } from '@dicomtrail/event-log';
import { DicomtrailError, type Logger } from '@dicomtrail/runtime';
import { SCHEMA_ID } from '@dicomtrail/schemas';
import type { AdapterEvent } from '../association/types.js';
import { resolveHere } from '../dataset/deferred-dicom-json.js';
import type { NodeInfo } from '../events/envelope.js';
import { encodeEnvelope } from './envelope-encoder.js';
import type {
  EnvelopeThreadConfig,
  FromEnvelopeThread,
  InvalidEnvelope,
  ToEnvelopeThread,
} from './envelope-thread-protocol.js';

/** An event left out because its envelope is not schema-valid (a bug). */
export interface InvalidEvent {
  event: AdapterEvent;
  code: string;
  errors: InvalidEnvelope['errors'];
}

export type EncodedHandler = (records: EventRecord[], invalid: InvalidEvent[]) => void;

export interface EnvelopeThreadOptions {
  node: NodeInfo;
  log: Logger;
  /** How long the first queued event waits for company (default 5 ms). */
  lingerMs?: number;
  /** Events per message to the worker (default 500). */
  batchMax?: number;
  /** The worker thread's nice value (Linux, 0-19; default unchanged). */
  nice?: number;
}

interface Batch {
  events: AdapterEvent[];
  records?: EventRecord[];
  invalid?: InvalidEvent[];
}

export class EnvelopeThread {
  readonly #node: NodeInfo;
  readonly #log: Logger;
  readonly #lingerMs: number;
  readonly #batchMax: number;
  readonly #nice: number | undefined;
  #onEncoded: EncodedHandler | undefined;
  #worker: Worker | undefined;
  /** Here, not in the worker: after a worker failure, or once closed. */
  #local = false;
  #queued: AdapterEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #nextId = 1;
  /** Batches given to the worker, in order (a Map keeps insertion order). */
  readonly #pending = new Map<number, Batch>();
  #drainWaiters: Array<() => void> = [];
  #readyWaiters: Array<() => void> = [];
  #ready = false;

  constructor(opts: EnvelopeThreadOptions) {
    this.#node = opts.node;
    this.#log = opts.log.child({ component: 'envelope-thread' });
    this.#lingerMs = opts.lingerMs ?? 5;
    this.#batchMax = opts.batchMax ?? 500;
    this.#nice = opts.nice;
  }

  /** Starts the worker; encoded records go to `onEncoded`. */
  start(onEncoded: EncodedHandler): this {
    this.#onEncoded = onEncoded;
    const config: EnvelopeThreadConfig = {
      node: this.#node,
      ...(this.#nice !== undefined ? { nice: this.#nice } : {}),
    };
    const worker = new Worker(new URL('./envelope-thread-worker.js', import.meta.url), {
      workerData: config,
    });
    worker.on('message', (msg: FromEnvelopeThread) => this.#onMessage(msg));
    worker.on('error', (err) => this.#fail(err));
    worker.on('exit', (code) => {
      if (this.#worker === worker && !this.#local)
        this.#fail(new DicomtrailError('DT_ERR_ENVELOPE_THREAD', `envelope thread exited (code ${code})`));
    });
    this.#worker = worker;
    return this;
  }

  /** Events given and not yet handed to `onEncoded`. */
  get pending(): number {
    let n = this.#queued.length;
    for (const b of this.#pending.values()) n += b.events.length;
    return n;
  }

  encode(event: AdapterEvent): void {
    if (this.#local || !this.#worker) {
      const batch: Batch = { events: [event] };
      this.#encodeHere(batch);
      this.#deliver(batch);
      return;
    }
    this.#queued.push(event);
    if (this.#queued.length >= this.#batchMax) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#lingerMs);
  }

  /** Resolves when every event given so far was handed to `onEncoded`. */
  drain(): Promise<void> {
    this.flush();
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Drains, then ends the worker; later events are encoded here. */
  async close(): Promise<void> {
    await this.drain();
    this.#local = true;
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  /** Hands the queued events to the worker now (someone waits on them), not after the linger. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queued.length === 0) return;
    const events = this.#queued;
    this.#queued = [];
    const id = this.#nextId++;
    const batch: Batch = { events };
    this.#pending.set(id, batch);
    const worker = this.#worker;
    try {
      if (!worker || this.#local) throw new DicomtrailError('DT_ERR_ENVELOPE_THREAD', 'no envelope thread');
      worker.postMessage({ op: 'encode', id, events } satisfies ToEnvelopeThread);
    } catch (err) {
      this.#log.error(
        { err, events: events.length },
        'events could not be handed to the envelope thread: encoded here',
      );
      this.#encodeHere(batch);
      this.#deliverReady();
    }
  }

  /** Resolves once the worker takes batches (validators compiled), or it failed and events are encoded here. */
  ready(): Promise<void> {
    if (this.#ready || this.#local || !this.#worker) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  #setReady(): void {
    this.#ready = true;
    for (const w of this.#readyWaiters.splice(0)) w();
  }

  #onMessage(msg: FromEnvelopeThread): void {
    if (msg.op === 'ready') {
      this.#setReady();
      return;
    }
    if (msg.op === 'priority') {
      if (msg.result.ok)
        this.#log.debug({ tid: msg.result.tid, nice: msg.result.nice }, 'thread priority lowered');
      else this.#log.warn({ reason: msg.result.reason }, 'thread priority unchanged');
      return;
    }
    const batch = this.#pending.get(msg.id);
    if (!batch || batch.records) return;
    if (msg.op === 'failed') {
      this.#log.error(
        { error: msg.error, events: batch.events.length },
        'envelope thread failed a batch: encoded here',
      );
      this.#encodeHere(batch);
    } else {
      const records: EventRecord[] = [];
      const invalid: InvalidEvent[] = [];
      let start = 0;
      let next = 0;
      for (let i = 0; i < batch.events.length; i++) {
        const event = batch.events[i] as AdapterEvent;
        const end = msg.ends[i] as number;
        const bad = msg.invalid[next];
        if (bad?.index === i) {
          next += 1;
          invalid.push({ event, code: bad.code, errors: bad.errors });
        } else records.push(recordOf(event, Buffer.from(msg.values, start, end - start)));
        start = end;
      }
      batch.records = records;
      batch.invalid = invalid;
    }
    this.#deliverReady();
  }

  /** The worker is gone: everything still waiting is encoded here, and so is what comes next. */
  #fail(err: Error): void {
    if (this.#local) return;
    this.#local = true;
    this.#worker = undefined;
    this.#setReady();
    this.#log.error(
      { err, pending: this.pending },
      'envelope thread failed: envelopes are built on this thread',
    );
    for (const b of this.#pending.values()) if (!b.records) this.#encodeHere(b);
    this.#deliverReady();
    this.#flushHere();
  }

  #flushHere(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queued.length === 0) return;
    const batch: Batch = { events: this.#queued };
    this.#queued = [];
    this.#encodeHere(batch);
    this.#deliver(batch);
  }

  #encodeHere(batch: Batch): void {
    const records: EventRecord[] = [];
    const invalid: InvalidEvent[] = [];
    for (const event of batch.events) {
      const r = encodeEnvelope(event, this.#node, resolveHere);
      if (r.ok) records.push(recordOf(event, Buffer.from(r.json)));
      else invalid.push({ event, code: r.code, errors: r.errors });
    }
    batch.records = records;
    batch.invalid = invalid;
  }

  /** Hands finished batches to `onEncoded` from the oldest on, stopping at the first one not finished. */
  #deliverReady(): void {
    for (const [id, batch] of this.#pending) {
      if (!batch.records) break;
      this.#pending.delete(id);
      this.#deliver(batch);
    }
    if (this.#pending.size === 0 && this.#queued.length === 0)
      for (const w of this.#drainWaiters.splice(0)) w();
  }

  #deliver(batch: Batch): void {
    try {
      this.#onEncoded?.(batch.records ?? [], batch.invalid ?? []);
    } catch (err) {
      this.#log.error({ err, events: batch.events.length }, 'encoded events could not be handed on');
    }
  }
}

/**
 * The `type` and `schema` headers of an event's record: one frozen object per type, shared by its records (no
 * allocation per event, and a batch crossing to the producer thread carries each distinct object once).
 */
const headersByType = new Map<string, Readonly<Record<string, string>>>();

export function eventHeaders(type: string): Readonly<Record<string, string>> {
  let h = headersByType.get(type);
  if (h === undefined) {
    h = Object.freeze({ [HEADER_TYPE]: type, [HEADER_SCHEMA]: SCHEMA_ID });
    headersByType.set(type, h);
  }
  return h;
}

/** An envelope's bytes as the Kafka record of its event. */
export function recordOf(event: AdapterEvent, value: Buffer): EventRecord {
  return { key: event.association.id, value, headers: eventHeaders(event.type) };
}
