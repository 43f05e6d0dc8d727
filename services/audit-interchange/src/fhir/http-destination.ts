/**
 * AuditEvents to a FHIR server: each batch as one transaction Bundle POSTed to the server's base URL, every
 * entry a PUT by the message's stable id, so a batch sent again (after a timeout whose answer was lost, or a
 * restart before the offset commit) updates the same resources instead of adding copies. A batch is done when
 * the server answers 2xx. Anything else (no answer, 5xx, 429, and also a 4xx, which is logged with the server's
 * OperationOutcome and retried: a record is never dropped) is retried with back-off (200 ms doubling to 30 s);
 * batches behind it wait, so the order holds.
 */
import type { Logger } from '@dicomtrail/runtime';
import type { AuditMessage } from '../audit-message.js';
import { Backoff, type Destination, RoomGate } from '../destination.js';
import { auditEvent, transactionBundle } from './audit-event.js';

export interface FhirHttpOptions {
  baseUrl: string;
  /** Sent as the Authorization header when set (never logged). */
  authorization?: string;
  timeoutMs: number;
  maxPending: number;
  log: Logger;
}

export class FhirHttpDestination implements Destination {
  readonly name = 'fhir-http';
  #pending = 0;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #gate: RoomGate;
  readonly #counts = { delivered: 0, requests: 0, failures: 0 };

  constructor(private readonly o: FhirHttpOptions) {
    this.#gate = new RoomGate(o.maxPending, () => this.#pending);
  }

  get pending(): number {
    return this.#pending;
  }

  room(): Promise<void> {
    return this.#gate.room();
  }

  stats(): Record<string, number> {
    return { ...this.#counts, pending: this.#pending };
  }

  deliver(messages: readonly AuditMessage[], done: () => void): void {
    this.#pending += messages.length;
    const body =
      messages.length > 0 ? JSON.stringify(transactionBundle(messages.map(auditEvent))) : undefined;
    this.#chain = this.#chain.then(async () => {
      if (body && !(await this.#post(body, messages.length))) return; // closed before it went through
      this.#pending -= messages.length;
      this.#counts.delivered += messages.length;
      done();
      this.#gate.check();
    });
  }

  /** POSTs until a 2xx; false when the destination was closed first. */
  async #post(body: string, count: number): Promise<boolean> {
    const backoff = new Backoff(200, 30_000);
    const url = this.o.baseUrl.replace(/\/+$/, '');
    for (;;) {
      if (this.#closed) return false;
      this.#counts.requests++;
      let problem: Record<string, unknown>;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/fhir+json',
            accept: 'application/fhir+json',
            ...(this.o.authorization ? { authorization: this.o.authorization } : {}),
          },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        const text = await res.text();
        if (res.ok) return true;
        problem = { status: res.status, body: text.slice(0, 500) };
      } catch (err) {
        problem = { err: (err as Error).message };
      }
      this.#counts.failures++;
      const delay = backoff.next();
      this.o.log.warn(
        { url, ...problem, resources: count, pending: this.#pending, retry_ms: delay },
        'FHIR server did not take the AuditEvent transaction; retrying',
      );
      await new Promise((r) => setTimeout(r, delay).unref());
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
