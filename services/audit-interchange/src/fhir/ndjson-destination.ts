/**
 * AuditEvents as NDJSON files (one resource per line, FHIR Bulk Data's format): `auditevent-<UTC day>.ndjson`
 * in AUDIT_FHIR_NDJSON_DIR, folder 0700 and files 0600 (they hold patient ids). A batch is done once its lines
 * are written and fsync'd. After a crash between the fsync and the Kafka commit a batch is written again:
 * lines carry the stable resource id, so a reader keeps the first line of each id.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@dicomtrail/runtime';
import type { AuditMessage } from '../audit-message.js';
import { Backoff, type Destination, RoomGate } from '../destination.js';
import { appendDurably } from '../durable-append.js';
import { auditEvent } from './audit-event.js';

export class NdjsonDestination implements Destination {
  readonly name = 'fhir-ndjson';
  #pending = 0;
  #chain: Promise<void> = Promise.resolve();
  readonly #gate: RoomGate;
  readonly #counts = { delivered: 0, failures: 0 };

  constructor(private readonly o: { dir: string; maxPending: number; log: Logger }) {
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
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
      const byFile = new Map<string, string[]>();
      for (const m of messages) {
        const file = path.join(this.o.dir, `auditevent-${m.dateTime.slice(0, 10)}.ndjson`);
        const lines = byFile.get(file) ?? [];
        lines.push(JSON.stringify(auditEvent(m)));
        byFile.set(file, lines);
      }
      for (const [file, lines] of byFile) await this.#append(file, `${lines.join('\n')}\n`);
      this.#pending -= messages.length;
      this.#counts.delivered += messages.length;
      done();
      this.#gate.check();
    });
  }

  async #append(file: string, text: string): Promise<void> {
    const backoff = new Backoff(200, 10_000);
    for (;;) {
      try {
        await appendDurably(file, text);
        return;
      } catch (err) {
        this.#counts.failures++;
        const delay = backoff.next();
        this.o.log.error(
          { file, err: (err as Error).message, retry_ms: delay },
          'NDJSON write failed; retrying',
        );
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  async close(): Promise<void> {
    await this.#chain;
  }
}
