/**
 * "Durable before acknowledged" (AUDIT_DURABILITY=sync): which events are in the write-ahead log yet.
 *
 * Every event written is numbered in write order; the log settles them in that same order (made durable,
 * or failed). `wait(association)` resolves once every event written so far is settled, so an answer sent
 * after it (a DIMSE response, an A-ASSOCIATE-AC, an A-RELEASE-RP) follows its own events and every earlier
 * one into the log. It rejects when an event of that association could not be made durable: that
 * association's answers must not claim success. Other associations are not held up by its failure.
 * Pure bookkeeping: no I/O, no timers.
 */
import { DicomtrailError } from '@dicomtrail/runtime';

interface Waiter {
  target: number;
  key: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Associations remembered as failed at most (the oldest forgotten first; one per failing association). */
const FAILED_MAX = 10_000;

export class NotDurableError extends DicomtrailError {
  constructor(association: string, cause: unknown) {
    super(
      'DT_ERR_AUDIT_NOT_DURABLE',
      `an event of association ${association} could not be written to the event log: ${(cause as Error)?.message ?? String(cause)}`,
      { association_id: association },
      cause,
    );
  }
}

export class DurabilityBarrier {
  #written = 0;
  #settled = 0;
  #waiters: Waiter[] = [];
  #head = 0;
  readonly #failed = new Map<string, unknown>();

  /** Events written / settled so far. */
  get written(): number {
    return this.#written;
  }
  get settled(): number {
    return this.#settled;
  }
  get waiting(): number {
    return this.#waiters.length - this.#head;
  }

  /** One more event written; returns its number (1-based). */
  wrote(): number {
    this.#written += 1;
    return this.#written;
  }

  /** Events up to `upTo` settled; `failures` are the associations whose events among them failed. */
  settle(upTo: number, failures: readonly { key: string; err: unknown }[] = []): void {
    for (const f of failures) {
      if (this.#failed.size >= FAILED_MAX) this.#failed.delete(this.#failed.keys().next().value as string);
      this.#failed.set(f.key, f.err);
    }
    if (upTo > this.#settled) this.#settled = upTo;
    while (this.#head < this.#waiters.length) {
      const w = this.#waiters[this.#head] as Waiter;
      if (w.target > this.#settled) break;
      this.#head += 1;
      const err = this.#failed.get(w.key);
      if (err === undefined) w.resolve();
      else w.reject(new NotDurableError(w.key, err));
    }
    if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      this.#waiters = this.#waiters.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Resolves once every event written so far is settled (undefined: already so). */
  wait(key: string): Promise<void> | undefined {
    const err = this.#failed.get(key);
    if (err !== undefined) return Promise.reject(new NotDurableError(key, err));
    if (this.#settled >= this.#written) return undefined;
    const target = this.#written;
    return new Promise((resolve, reject) => this.#waiters.push({ target, key, resolve, reject }));
  }
}
