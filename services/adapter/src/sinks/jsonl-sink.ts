/**
 * Every event envelope as one JSON line in a file (`--events-out FILE`). Writes are buffered by the
 * stream and flushed on close.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { DicomtrailEvent, EventType } from '@dicomtrail/schemas';
import type { AdapterEvent, EventSink } from '../association/types.js';
import { envelopeJson, type NodeInfo } from '../events/envelope.js';

export class JsonlSink implements EventSink {
  readonly #out: WriteStream;
  readonly #node: NodeInfo;
  readonly #types: ReadonlySet<EventType> | undefined;
  /** JSON.stringify decodes a deferred header (its toJSON). */
  readonly acceptsDeferred = true;

  constructor(file: string, node: NodeInfo, types?: readonly EventType[]) {
    this.#out = createWriteStream(file, { flags: 'a', mode: 0o600 });
    this.#node = node;
    this.#types = types ? new Set(types) : undefined;
  }

  wants(type: EventType): boolean {
    return this.#types === undefined || this.#types.has(type);
  }

  write(event: AdapterEvent): void {
    this.#out.write(`${envelopeJson(event, this.#node)}\n`);
  }

  writeNodeEvent(event: DicomtrailEvent): void {
    if (this.wants(event.type)) this.#out.write(`${JSON.stringify(event)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#out.end(resolve));
  }
}
