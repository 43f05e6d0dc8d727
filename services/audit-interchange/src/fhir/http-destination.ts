/**
 * AuditEvents to a FHIR server: each batch as one transaction Bundle POSTed to the server's base URL, every
 * entry a PUT by the message's stable id, so a batch sent again (after a timeout whose answer was lost, or a
 * restart before the offset commit) updates the same resources instead of adding copies. A batch is done when
 * the server answers 2xx.
 *
 * What is retried and what is not:
 *  - no answer, a 5xx, 408 or 429: retried with back-off (200 ms doubling to 30 s) for as long as it takes;
 *    batches behind it wait, so the order holds;
 *  - 401, 403, 404, 405, 407: the server refuses us (credentials, the base URL), not the resource: retried the
 *    same way, logged as errors, so a misconfiguration never throws records away;
 *  - any other 4xx (400, 409, 412, 422, ...) refuses a resource for what it is. A transaction is all-or-nothing,
 *    so the batch is split and each AuditEvent sent alone (each with the retry rules above); one the server
 *    still refuses is a dead letter (dead-letters.ts: kept durably with the server's OperationOutcome, logged,
 *    counted) and the stream moves on.
 */
import type { Logger } from '@dicomtrail/runtime';
import type { AuditMessage } from '../audit-message.js';
import { Backoff, type Destination, RoomGate } from '../destination.js';
import { auditEvent, transactionBundle } from './audit-event.js';
import { type FhirDeadLetters, serverOutcome } from './dead-letters.js';

export interface FhirHttpOptions {
  baseUrl: string;
  /** Sent as the Authorization header when set (never logged). */
  authorization?: string;
  timeoutMs: number;
  maxPending: number;
  deadLetters: FhirDeadLetters;
  log: Logger;
}

/** Statuses that say the request (our credentials, the URL) is wrong, not the resource: retried. */
const NOT_ABOUT_THE_RESOURCE = new Set([401, 403, 404, 405, 407, 408, 429]);

/** A 4xx that refuses the resources themselves: sending them again unchanged cannot succeed. */
export function refusesResource(status: number): boolean {
  return status >= 400 && status < 500 && !NOT_ABOUT_THE_RESOURCE.has(status);
}

type Answer = { ok: true } | { ok: false; status: number; text: string } | { closed: true };

export class FhirHttpDestination implements Destination {
  readonly name = 'fhir-http';
  #pending = 0;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #gate: RoomGate;
  readonly #counts = { delivered: 0, requests: 0, failures: 0, deadLettered: 0 };

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
    this.#chain = this.#chain.then(async () => {
      if (messages.length > 0 && !(await this.#send(messages))) return; // closed before it went through
      this.#pending -= messages.length;
      done();
      this.#gate.check();
    });
  }

  /** The batch as one transaction; refused for its resources, each alone. False when closed first. */
  async #send(messages: readonly AuditMessage[]): Promise<boolean> {
    const events = messages.map(auditEvent);
    const answer = await this.#post(events);
    if ('closed' in answer) return false;
    if (answer.ok) {
      this.#counts.delivered += messages.length;
      return true;
    }
    if (messages.length === 1) {
      await this.#deadLetter(messages[0] as AuditMessage, events[0] as Record<string, unknown>, answer);
      return true;
    }
    this.o.log.warn(
      { status: answer.status, resources: messages.length },
      'FHIR server refused the AuditEvent transaction; sending its resources one by one',
    );
    for (const m of messages) if (!(await this.#send([m]))) return false;
    return true;
  }

  async #deadLetter(
    m: AuditMessage,
    resource: Record<string, unknown>,
    refused: { status: number; text: string },
  ): Promise<void> {
    const outcome = serverOutcome(refused.text);
    const backoff = new Backoff(200, 10_000);
    for (;;) {
      try {
        const file = await this.o.deadLetters.keep({
          id: m.id,
          event_id: m.eventId.code,
          status: refused.status,
          outcome,
          resource,
        });
        this.#counts.deadLettered++;
        this.o.log.error(
          { id: m.id, event_id: m.eventId.code, status: refused.status, outcome, file },
          'FHIR server refused an AuditEvent; kept as a dead letter, the stream moves on',
        );
        return;
      } catch (err) {
        const delay = backoff.next();
        this.o.log.error(
          { id: m.id, err: (err as Error).message, retry_ms: delay },
          'cannot write the FHIR dead letter; retrying (the stream waits)',
        );
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  /** POSTs until a 2xx or a refusal of the resources; closed when the destination was closed first. */
  async #post(events: readonly Record<string, unknown>[]): Promise<Answer> {
    const body = JSON.stringify(transactionBundle(events));
    const backoff = new Backoff(200, 30_000);
    const url = this.o.baseUrl.replace(/\/+$/, '');
    for (;;) {
      if (this.#closed) return { closed: true };
      this.#counts.requests++;
      let problem: Record<string, unknown>;
      let status: number | undefined;
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
        if (res.ok) return { ok: true };
        if (refusesResource(res.status)) return { ok: false, status: res.status, text };
        status = res.status;
        problem = { status, body: text.slice(0, 500) };
      } catch (err) {
        problem = { err: (err as Error).message };
      }
      this.#counts.failures++;
      const delay = backoff.next();
      const fields = { url, ...problem, resources: events.length, pending: this.#pending, retry_ms: delay };
      if (status !== undefined && status < 500 && status !== 408 && status !== 429)
        this.o.log.error(fields, 'FHIR server refuses our requests (credentials or URL?); retrying');
      else this.o.log.warn(fields, 'FHIR server did not take the AuditEvent transaction; retrying');
      await new Promise((r) => setTimeout(r, delay).unref());
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
