/**
 * `COPY … FROM STDIN` through node-postgres' submittable interface (CopyInResponse → CopyData… → CopyDone →
 * CommandComplete "COPY n" → ReadyForQuery). The rows come already in COPY's text format, as
 * bytes, and are sent in CopyData messages of CHUNK_BYTES. Resolves with the number of rows copied.
 */
import { DicomtrailError } from '@dicomtrail/runtime';
import type pg from 'pg';

/** The parts of pg's Connection a COPY FROM uses (not in its type declarations). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** Bytes per CopyData message (its boundaries need not fall between rows, nor between a character's bytes). */
const CHUNK_BYTES = 512 * 1024;

class CopyIn implements pg.Submittable {
  readonly #sql: string;
  readonly #data: Uint8Array;
  readonly #settle: (err: Error | undefined, rows: number) => void;
  #rows = 0;
  #error: Error | undefined;
  #settled = false;

  constructor(sql: string, data: Uint8Array, settle: (err: Error | undefined, rows: number) => void) {
    this.#sql = sql;
    this.#data = data;
    this.#settle = settle;
  }

  submit(connection: pg.Connection): void {
    (connection as unknown as CopyConnection).query(this.#sql);
  }

  handleCopyInResponse(connection: pg.Connection): void {
    const c = connection as unknown as CopyConnection;
    const data = Buffer.from(this.#data.buffer, this.#data.byteOffset, this.#data.length);
    for (let at = 0; at < data.length; at += CHUNK_BYTES) {
      c.sendCopyFromChunk(data.subarray(at, at + CHUNK_BYTES));
    }
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

/** Runs `sql` (a `COPY … FROM STDIN`) with `data` (COPY text, rows ending in "\n") as its input. */
export function copyIn(client: pg.ClientBase, sql: string, data: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    client.query(
      new CopyIn(sql, data, (err, rows) => {
        if (err) reject(err);
        else resolve(rows);
      }),
    );
  });
}
