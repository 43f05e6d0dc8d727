/**
 * Where audit messages go (syslog over TLS or UDP, a FHIR server, NDJSON files). Each destination takes
 * messages in order and calls `done` for a batch once it holds them as far as it can tell (destination by
 * destination: syslog/tls-destination.ts explains what "holds" means for TLS syslog). The consumer commits a
 * Kafka offset only when every destination called `done` for everything before it.
 */
import type { AuditMessage } from './audit-message.js';

export interface Destination {
  readonly name: string;
  deliver(messages: readonly AuditMessage[], done: () => void): void;
  /** Messages taken but not yet done. */
  readonly pending: number;
  /** Resolves once fewer than the destination's limit are pending (the consumer waits on it). */
  room(): Promise<void>;
  /** Stops retrying; what is pending stays undone (its offsets uncommitted, read again on the next start). */
  close(): Promise<void>;
  stats(): Record<string, number>;
}

/** Waiters for room below a limit: resolved as the pending count drops. */
export class RoomGate {
  #waiters: (() => void)[] = [];
  constructor(
    private readonly limit: number,
    private readonly pending: () => number,
  ) {}

  room(): Promise<void> {
    if (this.pending() < this.limit) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Call when the pending count dropped. */
  check(): void {
    if (this.pending() >= this.limit) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** Exponential back-off between attempts: initial, doubled each failure, at most max. */
export class Backoff {
  #next: number;
  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.#next = initialMs;
  }
  next(): number {
    const ms = this.#next;
    this.#next = Math.min(this.maxMs, this.#next * 2);
    return ms;
  }
  reset(): void {
    this.#next = this.initialMs;
  }
}
