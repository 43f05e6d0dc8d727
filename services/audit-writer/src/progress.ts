/** Progress at info level, at most every few seconds: batches, rows, rows/s; never per event. */
import type { Logger } from '@dicomtrail/runtime';
import type { BatchResult } from './batch-writer.js';

const EVERY_MS = 5000;

export class Progress {
  batches = 0;
  inserted = 0;
  duplicates = 0;
  alreadyWritten = 0;
  deadLettered = 0;
  seqFindings = 0;
  readonly #log: Logger;
  #windowStart = Date.now();
  #windowRows = 0;

  constructor(log: Logger) {
    this.#log = log;
  }

  add(r: BatchResult, dead: number): void {
    this.batches += 1;
    this.inserted += r.inserted.length;
    this.duplicates += r.duplicates;
    this.alreadyWritten += r.alreadyWritten;
    this.deadLettered += dead;
    this.seqFindings += r.projections.findings;
    this.#windowRows += r.inserted.length;
    if (Date.now() - this.#windowStart >= EVERY_MS) this.flush();
  }

  flush(): void {
    const seconds = (Date.now() - this.#windowStart) / 1000;
    if (this.#windowRows > 0 || this.batches > 0) {
      this.#log.info(
        {
          batches: this.batches,
          inserted: this.inserted,
          duplicates: this.duplicates,
          already_written: this.alreadyWritten,
          dead_lettered: this.deadLettered,
          seq_findings: this.seqFindings,
          rows_per_s: Math.round(this.#windowRows / Math.max(seconds, 0.001)),
        },
        'audit-writer progress',
      );
    }
    this.#windowStart = Date.now();
    this.#windowRows = 0;
  }
}
