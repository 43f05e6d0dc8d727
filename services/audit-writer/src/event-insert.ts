/**
 * Linked rows into audit.events, by one of two methods (AUDIT_WRITER_INSERT_METHOD; the benchmark compares them):
 *  - 'copy': COPY FROM STDIN in text format, one line per row written (as bytes) by link in the pass that hashes it;
 *  - 'recordset': one multi-row INSERT … SELECT FROM json_to_recordset($1) of each row's canonical JSON.
 * Either way a negotiation is not stored in the row but referred to by its sha256 (negotiation-store.ts).
 * Neither has ON CONFLICT: the batch writer already dropped the ids in the trail (under the partition's
 * checkpoint lock), so a unique violation means another writer inserted one of them meanwhile; it fails the
 * batch with DT_ERR_AUDIT_CONCURRENT_INSERT and the retry drops them.
 */
import { DicomtrailError } from '@dicomtrail/runtime';
import type pg from 'pg';
import { COPY_COLUMN_ORDER, canonicalRow } from './canonical-row.js';
import { copyIn } from './copy-in.js';
import { EVENT_COLUMNS, type EventRow } from './event-row.js';
import type { CopyLines, RenderedRow } from './hash-chain.js';
import { recordsetSql } from './json-rows.js';

export const INSERT_METHODS = ['copy', 'recordset'] as const;
export type InsertMethod = (typeof INSERT_METHODS)[number];

/** The stored columns: negotiation_sha256 in place of negotiation. */
const STORED_COLUMNS: readonly (readonly [string, string])[] = EVENT_COLUMNS.map(([name, type]) =>
  name === 'negotiation' ? ['negotiation_sha256', 'bytea'] : [name, type],
);
/** Lines come from link (its CopyLines), written in the same pass as the hashed text. */
const COPY_EVENTS = `COPY audit.events (${COPY_COLUMN_ORDER.join(', ')}) FROM STDIN`;
const INSERT_EVENTS = recordsetSql('audit.events', STORED_COLUMNS);

/**
 * One row as an element of the INSERT's JSON array: its canonical JSON without the negotiation, with the
 * negotiation's sha256 and the two hashes as bytea literals.
 */
export function recordsetElement(row: EventRow, rendered: RenderedRow): string {
  const text =
    rendered.negotiation || rendered.hashed === null
      ? canonicalRow(row, row.chain_id, row.chain_position, { params: rendered.params, negotiation: null })
      : rendered.hashed;
  const sha = rendered.negotiation ? `"\\\\x${rendered.negotiation.sha256}"` : 'null';
  // text is a non-empty JSON object ("{...}"): append the rest before its closing brace.
  return `${text.slice(0, -1)},"negotiation_sha256":${sha},"prev_hash":"\\\\x${row.prev_hash}","row_hash":"\\\\x${row.row_hash}"}`;
}

/**
 * The rows into audit.events: with 'copy' their COPY lines (`copy`, written by link), with 'recordset' one
 * INSERT of their JSON.
 */
export async function insertEvents(
  client: pg.ClientBase,
  method: InsertMethod,
  rows: readonly EventRow[],
  rendered: readonly RenderedRow[],
  copy?: CopyLines,
): Promise<void> {
  let inserted: number;
  try {
    if (method === 'copy') {
      if (!copy || copy.length === 0) {
        throw new DicomtrailError('DT_ERR_AUDIT_COPY_TEXT', 'rows were linked without their COPY text', {
          rows: rows.length,
        });
      }
      inserted = await copyIn(client, COPY_EVENTS, copy.view());
    } else {
      const json = rows.map((r, i) => recordsetElement(r, rendered[i]!));
      inserted = (await client.query(INSERT_EVENTS, [`[${json.join(',')}]`])).rowCount ?? 0;
    }
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new DicomtrailError(
        'DT_ERR_AUDIT_CONCURRENT_INSERT',
        `another writer inserted some of these event ids meanwhile: ${(err as Error).message}`,
        { method, rows: rows.length },
        err,
      );
    }
    throw err;
  }
  if (inserted !== rows.length) {
    throw new DicomtrailError('DT_ERR_AUDIT_INSERT_COUNT', `inserted ${inserted} of ${rows.length} rows`, {
      method,
      expected: rows.length,
      inserted,
    });
  }
}
