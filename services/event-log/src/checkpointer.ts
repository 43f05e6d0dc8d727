/**
 * The serial work and the offset commits of a consumer that holds associations open across batches
 * (offset-tracker.ts): the trace exporter and the audit interchange. One piece of work runs at a time (a batch,
 * a periodic tick, a commit), in the order asked, so a commit never sees a batch half processed. A commit runs
 * when `intervalMs` has passed since the last one, on demand, and on stop; `beforeCommit` runs first (e.g. flush
 * what the committed records produced), so an offset is committed only once their output is out.
 */
import type { Logger } from '@dicomtrail/runtime';
import type { EventConsumer } from './consumer.js';
import type { OffsetTracker } from './offset-tracker.js';

export interface CheckpointerOptions {
  consumer: Pick<EventConsumer, 'commit'>;
  offsets: OffsetTracker;
  /** Least time between two commits made because one was due. */
  intervalMs: number;
  log: Logger;
  /** Runs before every commit, even one with no offset to commit. */
  beforeCommit?: () => Promise<void>;
  /** Associations still open, for the commit's debug line. */
  openCount: () => number;
}

export class Checkpointer {
  readonly #opts: CheckpointerOptions;
  #queue: Promise<void> = Promise.resolve();
  #last = Date.now();
  #commits = 0;

  constructor(opts: CheckpointerOptions) {
    this.#opts = opts;
  }

  /** Offset commits made so far. */
  get commits(): number {
    return this.#commits;
  }

  /** Runs `work` after everything queued before it; a failure is returned to the caller, not to later work. */
  serially(work: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Commits what is safe now (call inside `serially`). */
  async checkpoint(): Promise<void> {
    const { offsets, consumer, log, beforeCommit } = this.#opts;
    this.#last = Date.now();
    const safe = offsets.committable();
    if (beforeCommit) await beforeCommit();
    if (safe.length === 0) return;
    await consumer.commit(safe);
    offsets.committed(safe);
    this.#commits++;
    log.debug({ offsets: safe, open: this.#opts.openCount() }, 'offsets committed');
  }

  /** Commits when `intervalMs` has passed since the last commit (call inside `serially`). */
  async checkpointIfDue(): Promise<void> {
    if (Date.now() - this.#last >= this.#opts.intervalMs) await this.checkpoint();
  }

  /**
   * Every `tickMs` (at most a second, at most `intervalMs`): `work`, then a commit if one is due, in turn with
   * the batches. A failure is logged and the offsets stay where they were. Clear the returned timer on stop.
   */
  everyTick(work: () => void | Promise<void>): NodeJS.Timeout {
    const timer = setInterval(
      () => {
        this.serially(async () => {
          await work();
          await this.checkpointIfDue();
        }).catch((err: unknown) =>
          this.#opts.log.error({ err }, 'periodic checkpoint failed; offsets stay where they were'),
        );
      },
      Math.min(this.#opts.intervalMs, 1000),
    );
    timer.unref();
    return timer;
  }
}
