/**
 * PS3.8 §9.1.5: the ARTIM (Association Request/Reject/Release Timer). When it expires the caller
 * dispatches Evt18. Time comes from an injected scheduler, so the timer is testable with a pure
 * fake clock; `systemScheduler` is node's own timers, for dul/upper-layer.ts.
 */

export interface Scheduler<H = unknown> {
  setTimeout(fn: () => void, ms: number): H;
  clearTimeout(handle: H): void;
}

/** Node's timers. The handle is unref'd so a pending ARTIM never keeps the process alive. */
export const systemScheduler: Scheduler<ReturnType<typeof setTimeout>> = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle),
};

/** pynetdicom's default ARTIM / ACSE timeout. */
export const DEFAULT_ARTIM_TIMEOUT_MS = 30_000;

export interface ArtimTimerOptions {
  readonly timeoutMs?: number;
}

export class ArtimTimer<H = unknown> {
  readonly timeoutMs: number;
  readonly #scheduler: Scheduler<H>;
  readonly #onExpired: () => void;
  // A box per start, so a scheduler may hand out 0 or another falsy handle, and so an expiry that
  // was already queued when the timer was stopped or restarted is recognised and dropped.
  #current: { handle: H } | undefined;

  constructor(scheduler: Scheduler<H>, onExpired: () => void, options: ArtimTimerOptions = {}) {
    this.#scheduler = scheduler;
    this.#onExpired = onExpired;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ARTIM_TIMEOUT_MS;
  }

  get running(): boolean {
    return this.#current !== undefined;
  }

  /** Starts the timer, or restarts it from zero if it is already running (AA-1's "or restart"). */
  start(): void {
    this.stop();
    const box = {} as { handle: H };
    this.#current = box;
    box.handle = this.#scheduler.setTimeout(() => {
      if (this.#current !== box) return;
      this.#current = undefined;
      this.#onExpired();
    }, this.timeoutMs);
  }

  /** Stops the timer if it is running ("Stop ARTIM timer if running"); otherwise does nothing. */
  stop(): void {
    if (this.#current === undefined) return;
    this.#scheduler.clearTimeout(this.#current.handle);
    this.#current = undefined;
  }
}
