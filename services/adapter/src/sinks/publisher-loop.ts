/**
 * The Kafka publisher's loop, shared by both event pipelines (the write-ahead log of AUDIT_DURABILITY=sync,
 * wal-sink.ts, and the memory queue of `async`, kafka-sink.ts): connect (after the topic set-up), then run the
 * pipeline's step again and again; after a failed connect or send, back off (doubling from `backoffMs` up to
 * `maxBackoffMs`) and try again. The pipeline decides what a step sends; the loop owns the connection, the
 * back-off, the wake-ups and the state, whose changes are logged once each: connected (info), degraded (warn),
 * recovered (warn). A batch goes through the dead letters (dead-letters.ts) when there are some: records Kafka
 * refuses for good are not sent again forever.
 */
import type { EventProducer, EventRecord } from '@dicomtrail/event-log';
import type { Logger } from '@dicomtrail/runtime';
import type { DeadLetters } from './dead-letters.js';

export type PublisherState = 'connecting' | 'connected' | 'degraded' | 'closed';

/**
 * What a step did: `sent` a batch (Kafka answered), `failed` to send one (Kafka did not: back off),
 * `retry` after a back-off for another reason (already logged), `again` at once (it waited itself, or
 * there is more), `done` (closing, nothing left).
 */
export type Step =
  | { kind: 'sent' }
  | { kind: 'failed'; err: unknown }
  | { kind: 'retry' }
  | { kind: 'again' }
  | { kind: 'done' };

/** How a pipeline reaches Kafka (the part of its options the loop takes). */
export interface PublisherConnection {
  producer: EventProducer;
  /** Run before the first connect and retried with it (e.g. create the topic). */
  setup?: (() => Promise<void>) | undefined;
  deadLetters?: DeadLetters | undefined;
  /** Back-off after a failed connect or send, doubling up to the max (200, 5000 ms). */
  backoffMs?: number | undefined;
  maxBackoffMs?: number | undefined;
}

export const connectionOf = (o: PublisherConnection): PublisherConnection => ({
  producer: o.producer,
  setup: o.setup,
  deadLetters: o.deadLetters,
  backoffMs: o.backoffMs,
  maxBackoffMs: o.maxBackoffMs,
});

export interface PublisherLoopOptions extends PublisherConnection {
  log: Logger;
  /** Where the events are while Kafka is away (for the degraded line) and what is waiting (for both lines). */
  degradedMessage: string;
  describe: () => Record<string, unknown>;
  /** Told when Kafka fails (a connect or a batch), before the degraded line. */
  onDown?: () => void;
}

export class PublisherLoop {
  readonly #producer: EventProducer;
  readonly #log: Logger;
  readonly #setup: (() => Promise<void>) | undefined;
  readonly #deadLetters: DeadLetters | undefined;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #opts: PublisherLoopOptions;
  #state: PublisherState = 'connecting';
  #connected = false;
  #setupDone = false;
  #stopped = false;
  #degradedAt = 0;
  #signal: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #failed = 0;
  #wakeups = 0;

  constructor(opts: PublisherLoopOptions) {
    this.#producer = opts.producer;
    this.#log = opts.log;
    this.#setup = opts.setup;
    this.#deadLetters = opts.deadLetters;
    this.#backoffMs = opts.backoffMs ?? 200;
    this.#maxBackoffMs = opts.maxBackoffMs ?? 5000;
    this.#opts = opts;
  }

  get state(): PublisherState {
    return this.#state;
  }
  get stopped(): boolean {
    return this.#stopped;
  }
  /** Batches that failed (sent again). */
  get failed(): number {
    return this.#failed;
  }

  /** Waits ended by `notify` (a write, close) rather than by their time. */
  get wakeups(): number {
    return this.#wakeups;
  }

  /** Starts the loop in the background (once). */
  start(step: () => Promise<Step>): void {
    this.#loop ??= this.#run(step).catch((err: unknown) =>
      this.#log.error({ err }, 'kafka publisher loop failed'),
    );
  }

  /** Resolves when connected, or false after `timeoutMs`. */
  async connected(timeoutMs: number): Promise<boolean> {
    const t0 = Date.now();
    while (!this.#connected && !this.#stopped && Date.now() - t0 < timeoutMs) await sleep(20);
    return this.#connected;
  }

  /** One batch to Kafka; records it refuses for good are dead-lettered, not retried. */
  send(records: readonly EventRecord[]): Promise<void> {
    const send = (r: readonly EventRecord[]) => this.#producer.send(r);
    return this.#deadLetters ? this.#deadLetters.deliver(send, records) : send(records);
  }

  async #run(step: () => Promise<Step>): Promise<void> {
    let backoff = this.#backoffMs;
    const backOff = async (): Promise<void> => {
      await this.wait(backoff);
      backoff = Math.min(backoff * 2, this.#maxBackoffMs);
    };
    while (!this.#stopped) {
      if (!this.#connected) {
        try {
          if (!this.#setupDone && this.#setup) await this.#setup();
          this.#setupDone = true;
          await this.#producer.connect();
          if (this.#stopped) return;
          this.#connected = true;
          backoff = this.#backoffMs;
          this.up();
        } catch (err) {
          if (this.#stopped) return;
          this.down(err);
          await backOff();
          continue;
        }
      }
      const r = await step();
      if (r.kind === 'done') return;
      if (r.kind === 'sent') {
        backoff = this.#backoffMs;
        this.up();
      } else if (r.kind === 'failed') {
        if (this.#stopped) return;
        this.#failed += 1;
        this.down(r.err);
        await backOff();
      } else if (r.kind === 'retry') await backOff();
    }
  }

  /** connecting → connected, or degraded → recovered (each logged once). */
  up(): void {
    if (this.#state === 'connected') return;
    if (this.#state === 'degraded')
      this.#log.warn(
        { down_ms: Math.round(Date.now() - this.#degradedAt), ...this.#opts.describe() },
        'kafka publisher recovered',
      );
    else this.#log.info('kafka publisher connected');
    this.#state = 'connected';
  }

  down(err: unknown): void {
    this.#opts.onDown?.();
    if (this.#state === 'degraded') return;
    this.#state = 'degraded';
    this.#degradedAt = Date.now();
    this.#log.warn(
      { err: err instanceof Error ? err.message : String(err), ...this.#opts.describe() },
      this.#opts.degradedMessage,
    );
  }

  /** Sleeps until notified (a write, close) or `ms` elapses. */
  wait(ms?: number): Promise<void> {
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

  notify(): void {
    if (this.#signal === undefined) return;
    this.#wakeups += 1;
    this.#signal();
  }

  /**
   * Gives the loop `timeoutMs` to end by itself (the pipeline's step returns `done` once closing). While the
   * first connection is still under way (neither made nor refused: a slow broker, a busy machine), that time
   * counts from when it is made, within `timeoutMs` more.
   */
  async finish(timeoutMs: number): Promise<void> {
    this.notify();
    const t0 = Date.now();
    while (this.#loop && this.#state === 'connecting' && !this.#stopped && Date.now() - t0 < timeoutMs)
      await sleep(20);
    if (this.#loop) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#loop, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    }
    this.#stopped = true;
    this.notify();
  }

  /**
   * Disconnects (within 2 s) and closes the dead letters. A producer still connecting is told too, so that its
   * thread ends with the sink.
   */
  async close(): Promise<void> {
    this.#stopped = true;
    if (this.#connected || this.#loop !== undefined) {
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
    this.#state = 'closed';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
