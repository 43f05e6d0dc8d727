/**
 * Linked rows into audit.events, by one of two methods (AUDIT_WRITER_INSERT_METHOD; the benchmark compares them):
 *  - 'copy': COPY FROM STDIN in text format, one line per row built from the texts the hash was computed over;
 *  - 'recordset': one multi-row INSERT … SELECT FROM json_to_recordset($1) of each row's canonical JSON.
 * Either way a negotiation is not stored in the row but referred to by its sha256 (negotiation-store.ts).
 * Neither has ON CONFLICT: the batch writer already dropped the ids in the trail (under the partition's
 * checkpoint lock), so a unique violation means another writer inserted one of them meanwhile; it fails the
 * batch with DT_ERR_AUDIT_CONCURRENT_INSERT and the retry drops them.
 */
import { DicomtrailError } from '@dicomtrail/runtime';
import type pg from 'pg';
import { canonicalRow } from './canonical-row.js';
import { copyIn } from './copy-in.js';
import { COPY_NULL, copyJson, copyValue } from './copy-text.js';
import { EVENT_COLUMNS, type EventRow } from './event-row.js';
import type { RenderedRow } from './hash-chain.js';
import { recordsetSql } from './json-rows.js';

export const INSERT_METHODS = ['copy', 'recordset'] as const;
export type InsertMethod = (typeof INSERT_METHODS)[number];

/** The stored columns: negotiation_sha256 in place of negotiation. */
const STORED_COLUMNS: readonly (readonly [string, string])[] = EVENT_COLUMNS.map(([name, type]) =>
  name === 'negotiation' ? ['negotiation_sha256', 'bytea'] : [name, type],
);
const COPY_EVENTS = `COPY audit.events (${STORED_COLUMNS.map(([n]) => n).join(', ')}) FROM STDIN`;
const INSERT_EVENTS = recordsetSql('audit.events', STORED_COLUMNS);

/** How each stored column's value is written (precomputed: the column list is fixed). */
const enum Kind {
  Scalar,
  Params,
  NegotiationSha,
  Bytea,
}
const COPY_COLUMNS: readonly { name: keyof EventRow; kind: Kind }[] = EVENT_COLUMNS.map(([name, type]) => ({
  name,
  kind:
    name === 'params'
      ? Kind.Params
      : name === 'negotiation'
        ? Kind.NegotiationSha
        : type === 'bytea'
          ? Kind.Bytea
          : Kind.Scalar,
}));

/** One row as a line of COPY text: params from its rendered canonical JSON, hashes as bytea hex. */
export function copyLine(row: EventRow, rendered: RenderedRow): string {
  const values = new Array<string>(COPY_COLUMNS.length);
  for (let i = 0; i < COPY_COLUMNS.length; i++) {
    const { name, kind } = COPY_COLUMNS[i]!;
    if (kind === Kind.Scalar) values[i] = copyValue(row[name]);
    else if (kind === Kind.Params) values[i] = copyJson(rendered.params);
    else if (kind === Kind.Bytea) values[i] = `\\\\x${row[name] as string}`;
    else values[i] = rendered.negotiation === null ? COPY_NULL : `\\\\x${rendered.negotiation.sha256}`;
  }
  return `${values.join('\t')}\n`;
}

/**
 * One row as an element of the INSERT's JSON array: its canonical JSON without the negotiation, with the
 * negotiation's sha256 and the two hashes as bytea literals.
 */
export function recordsetElement(row: EventRow, rendered: RenderedRow): string {
  const text = rendered.negotiation
    ? canonicalRow(row, row.chain_id, row.chain_position, { params: rendered.params, negotiation: null })
    : rendered.hashed;
  const sha = rendered.negotiation ? `"\\\\x${rendered.negotiation.sha256}"` : 'null';
  // text is a non-empty JSON object ("{...}"): append the rest before its closing brace.
  return `${text.slice(0, -1)},"negotiation_sha256":${sha},"prev_hash":"\\\\x${row.prev_hash}","row_hash":"\\\\x${row.row_hash}"}`;
}

export async function insertEvents(
  client: pg.ClientBase,
  method: InsertMethod,
  rows: readonly EventRow[],
  rendered: readonly RenderedRow[],
): Promise<void> {
  let inserted: number;
  try {
    if (method === 'copy') {
      inserted = await copyIn(
        client,
        COPY_EVENTS,
        rows.map((r, i) => copyLine(r, rendered[i]!)),
      );
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
