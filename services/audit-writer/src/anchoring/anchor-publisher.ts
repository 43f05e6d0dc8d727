/**
 * Puts every anchor on the event topic as it is written (AUDIT_ANCHOR_EVENTS): a second way out of the database's
 * reach beside the anchor directory, to wherever the audit interchange sends audit messages (syslog/ATNA, FHIR).
 * Anchors wait in order in memory while Kafka does not take them and are sent again every few seconds; each is the
 * same event every time (anchor-event.ts), so a resend is recognised by its id. At start the directory's last
 * anchor is published again, in case the process stopped between writing it and publishing it. What was never
 * published (Kafka down when the process stopped) is still in the directory, which `audit verify --anchors` reads.
 */
import { type EventProducer, HEADER_SCHEMA, HEADER_TYPE } from '@dicomtrail/event-log';
import type { Logger } from '@dicomtrail/runtime';
import { assertEvent, SCHEMA_ID } from '@dicomtrail/schemas';
import { readLastAnchorFile } from './anchor-directory.js';
import { type AnchorNode, chainAnchoredEvent } from './anchor-event.js';
import type { Anchor } from './anchor-record.js';

interface Queued {
  seq: number;
  value: Buffer;
}

export class AnchorPublisher {
  #queue: Queued[] = [];
  #flushing: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly stats = { published: 0, failures: 0 };

  constructor(
    private readonly o: { producer: EventProducer; node: AnchorNode; log: Logger; retryMs?: number },
  ) {}

  /** Queues the directory's last anchor again (idempotent: the same event as when it was written). */
  republishLast(dir: string): void {
    const last = readLastAnchorFile(dir);
    if (last) this.publish(JSON.parse(last.text) as Anchor, last.name);
  }

  /** Queues the anchor's event and sends what is queued; never throws (the anchor is in the directory anyway). */
  publish(anchor: Anchor, file: string): void {
    let event: ReturnType<typeof assertEvent>;
    try {
      event = assertEvent(chainAnchoredEvent(anchor, file, this.o.node));
    } catch (err) {
      this.stats.failures++;
      this.o.log.error(
        { err, seq: anchor.seq, file },
        'anchor not publishable as an event (it is in the directory)',
      );
      return;
    }
    this.#queue.push({ seq: anchor.seq, value: Buffer.from(JSON.stringify(event)) });
    void this.#flush();
  }

  #flush(): Promise<void> {
    this.#flushing ??= this.#send().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #send(): Promise<void> {
    while (this.#queue.length > 0 && !this.#stopped) {
      const batch = [...this.#queue];
      try {
        await this.o.producer.send(
          batch.map((q) => ({
            key: this.o.node.id,
            value: q.value,
            headers: { [HEADER_TYPE]: 'EVT_CHAIN_ANCHORED', [HEADER_SCHEMA]: SCHEMA_ID },
          })),
        );
      } catch (err) {
        this.stats.failures++;
        const retryMs = this.o.retryMs ?? 5000;
        this.o.log.warn(
          { err, waiting: this.#queue.length, first_seq: batch[0]?.seq, retry_ms: retryMs },
          'anchor not on the event topic yet (kept in order and sent again; the anchor directory has it)',
        );
        clearTimeout(this.#retry);
        this.#retry = setTimeout(() => void this.#flush(), retryMs);
        this.#retry.unref();
        return;
      }
      this.#queue.splice(0, batch.length);
      this.stats.published += batch.length;
      this.o.log.debug({ seqs: batch.map((q) => q.seq) }, 'anchors published on the event topic');
    }
  }

  /** Gives what is queued one last try (bounded), then stops. */
  async stop(timeoutMs = 5000): Promise<void> {
    clearTimeout(this.#retry);
    const flushed = this.#flush();
    await Promise.race([flushed, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    this.#stopped = true;
    if (this.#queue.length > 0)
      this.o.log.warn(
        { waiting: this.#queue.map((q) => q.seq) },
        'anchors not published before stop (they are in the anchor directory)',
      );
  }
}
