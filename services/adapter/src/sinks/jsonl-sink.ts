/**
 * Every event envelope as one JSON line in a file (`--events-out FILE`). The lines of one turn of the event loop
 * go to the stream as one write (a stream write per event cost more than its line), at the latest once the
 * turn's I/O is done (setImmediate) or past `LINES_MAX_CHARS`; the stream buffers them and flushes on close.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { DicomtrailEvent, EventType } from '@dicomtrail/schemas';
import type { AdapterEvent, EventSink } from '../association/types.js';
import { envelopeJson, type NodeInfo } from '../events/envelope.js';

/** The lines gathered are handed to the stream at once past this many characters. */
const LINES_MAX_CHARS = 256 * 1024;

export class JsonlSink implements EventSink {
  readonly #out: WriteStream;
  readonly #node: NodeInfo;
  readonly #types: ReadonlySet<EventType> | undefined;
  /** JSON.stringify decodes a deferred header (its toJSON). */
  readonly acceptsDeferred = true;
  /** Lines not yet given to the stream, in order. */
  #lines = '';
  #scheduled: NodeJS.Immediate | undefined;

  constructor(file: string, node: NodeInfo, types?: readonly EventType[]) {
    this.#out = createWriteStream(file, { flags: 'a', mode: 0o600 });
    this.#node = node;
    this.#types = types ? new Set(types) : undefined;
  }

  wants(type: EventType): boolean {
    return this.#types === undefined || this.#types.has(type);
  }

  write(event: AdapterEvent): void {
    this.#line(envelopeJson(event, this.#node));
  }

  writeNodeEvent(event: DicomtrailEvent): void {
    if (this.wants(event.type)) this.#line(JSON.stringify(event));
  }

  #line(json: string): void {
    this.#lines += `${json}\n`;
    if (this.#lines.length >= LINES_MAX_CHARS) this.#flush();
    else this.#scheduled ??= setImmediate(() => this.#flush());
  }

  #flush(): void {
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#lines.length === 0) return;
    const lines = this.#lines;
    this.#lines = '';
    this.#out.write(lines);
  }

  close(): Promise<void> {
    this.#flush();
    return new Promise((resolve) => this.#out.end(resolve));
  }
}
