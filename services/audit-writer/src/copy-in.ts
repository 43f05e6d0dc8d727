/**
 * `COPY … FROM STDIN` through node-postgres' submittable interface (CopyInResponse → CopyData… → CopyDone →
 * CommandComplete "COPY n" → ReadyForQuery). The rows are already in COPY's text format, one line each; they are
 * sent in chunks of about CHUNK_CHARS characters. Resolves with the number of rows copied.
 */
import { DicomtrailError } from '@dicomtrail/runtime';
import type pg from 'pg';

/** The parts of pg's Connection a COPY FROM uses (not in its type declarations). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

const CHUNK_CHARS = 512 * 1024;

class CopyIn implements pg.Submittable {
  readonly #sql: string;
  readonly #lines: readonly string[];
  readonly #settle: (err: Error | undefined, rows: number) => void;
  #rows = 0;
  #error: Error | undefined;
  #settled = false;

  constructor(sql: string, lines: readonly string[], settle: (err: Error | undefined, rows: number) => void) {
    this.#sql = sql;
    this.#lines = lines;
    this.#settle = settle;
  }

  submit(connection: pg.Connection): void {
    (connection as unknown as CopyConnection).query(this.#sql);
  }

  handleCopyInResponse(connection: pg.Connection): void {
    const c = connection as unknown as CopyConnection;
    let chunk = '';
    for (const line of this.#lines) {
      chunk += line;
      if (chunk.length >= CHUNK_CHARS) {
        c.sendCopyFromChunk(Buffer.from(chunk));
        chunk = '';
      }
    }
    if (chunk.length > 0) c.sendCopyFromChunk(Buffer.from(chunk));
    c.endCopyFrom();
  }

  handleCommandComplete(msg: { text: string }): void {
    this.#rows = Number(msg.text.slice(msg.text.lastIndexOf(' ') + 1));
  }

  /** An ErrorResponse (ReadyForQuery follows) or a lost connection (nothing follows): settle now. */
  handleError(err: Error): void {
    this.#error ??= err;
    this.#finish();
  }

  handleReadyForQuery(): void {
    this.#finish();
  }

  handleRowDescription(): void {
    this.#unexpected('RowDescription');
  }

  handleDataRow(): void {
    this.#unexpected('DataRow');
  }

  handleEmptyQuery(): void {
    this.#unexpected('EmptyQueryResponse');
  }

  handlePortalSuspended(): void {
    this.#unexpected('PortalSuspended');
  }

  handleCopyData(): void {
    this.#unexpected('CopyData');
  }

  #unexpected(message: string): void {
    this.#error ??= new DicomtrailError('DT_ERR_COPY_PROTOCOL', `unexpected ${message} during COPY FROM`, {
      sql: this.#sql,
    });
  }

  #finish(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#settle(this.#error, this.#rows);
  }
}

/** Runs `sql` (a `COPY … FROM STDIN`) with `lines` (each ending in "\n") as its data. */
export function copyIn(client: pg.ClientBase, sql: string, lines: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    client.query(
      new CopyIn(sql, lines, (err, rows) => {
        if (err) reject(err);
        else resolve(rows);
      }),
    );
  });
}
