/**
 * A pure clock for tests: timers fire only when the test advances time. Not a mock of node's
 * timers; it implements the Scheduler interface that ArtimTimer is written against.
 */

import type { Scheduler } from './artim-timer.js';

export class FakeScheduler implements Scheduler<number> {
  now = 0;
  #next = 1;
  readonly #pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): number {
    const id = this.#next++;
    this.#pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: number): void {
    this.#pending.delete(handle);
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Moves the clock forward, firing due timers in time order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.#pending.entries()]
        .filter(([, t]) => t.at <= until)
        .sort(([, a], [, b]) => a.at - b.at)[0];
      if (due === undefined) break;
      const [id, t] = due;
      this.#pending.delete(id);
      this.now = t.at;
      t.fn();
    }
    this.now = until;
  }
}
