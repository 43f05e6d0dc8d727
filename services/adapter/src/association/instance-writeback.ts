/**
 * Write-back of a streamed instance while it arrives: every `everyBytes` written, one fdatasync of the
 * temporary file in the thread pool (never more than one in flight), so that the file's dirty pages go to the
 * device while the rest streams in. An answer's own fdatasync of the event log then finds the device with at
 * most one interval of the instance still to write back (on ext4 a log sync waits for the journal commit,
 * which waits for the data written back with it). This is not the instance's durability: filing does not wait
 * for it. A failed sync is the instance's write error (A700), as a failed write is.
 */

import type { WriteStream } from 'node:fs';
import { fdatasync } from 'node:fs';

export class InstanceWriteback {
  readonly #everyBytes: number;
  readonly #onError: (err: Error) => void;
  #sinceSync = 0;
  #inFlight: Promise<void> | undefined;
  #ended = false;
  #syncs = 0;

  /** `everyBytes` 0: no write-back here (the kernel's own schedule). */
  constructor(everyBytes: number, onError: (err: Error) => void) {
    this.#everyBytes = everyBytes;
    this.#onError = onError;
  }

  /** `bytes` more were handed to `ws`; starts a sync of what it has written once an interval has passed. */
  wrote(ws: WriteStream, bytes: number): void {
    if (this.#everyBytes <= 0 || this.#ended) return;
    this.#sinceSync += bytes;
    if (this.#sinceSync < this.#everyBytes || this.#inFlight !== undefined) return;
    // A file stream's descriptor, set once it has opened (node's fs.WriteStream; not in its declared type).
    const fd = (ws as WriteStream & { fd?: number | null }).fd;
    if (typeof fd !== 'number') return; // not open yet: the next interval starts it
    this.#sinceSync = 0;
    this.#inFlight = new Promise((resolve) => {
      fdatasync(fd, (err) => {
        this.#inFlight = undefined;
        this.#syncs += 1;
        if (err) this.#onError(err);
        resolve();
      });
    });
  }

  /**
   * No sync starts after this; resolves when the one in flight (if any) is done, so the stream may close its
   * file (its descriptor is not reused under a sync still to run).
   */
  end(): Promise<void> {
    this.#ended = true;
    return this.#inFlight ?? Promise.resolve();
  }

  /** The syncs done so far. */
  get syncs(): number {
    return this.#syncs;
  }
}
