/**
 * audit.negotiations: each distinct negotiation once, keyed by the sha256 of its canonical JSON (migration 0006).
 * Before a batch's rows go in, the negotiations they refer to that the table lacks are inserted, in the batch's
 * transaction (a rollback takes them back with the rows). One lookup per batch for the distinct keys, so the
 * ~35 KB texts travel only when new; ON CONFLICT DO NOTHING for a writer of another partition inserting the
 * same negotiation at the same time.
 */
import type pg from 'pg';
import type { RenderedRow } from './hash-chain.js';

export async function storeNegotiations(
  client: pg.ClientBase,
  rendered: readonly RenderedRow[],
): Promise<number> {
  const wanted = new Map<string, string>();
  for (const r of rendered) {
    if (r.negotiation && !wanted.has(r.negotiation.sha256))
      wanted.set(r.negotiation.sha256, r.negotiation.text);
  }
  if (wanted.size === 0) return 0;
  const { rows } = await client.query<{ sha256: string }>(
    `SELECT encode(sha256, 'hex') AS sha256 FROM audit.negotiations
      WHERE sha256 = ANY(SELECT decode(h, 'hex') FROM unnest($1::text[]) AS h)`,
    [[...wanted.keys()]],
  );
  for (const r of rows) wanted.delete(r.sha256);
  if (wanted.size === 0) return 0;
  const res = await client.query(
    `INSERT INTO audit.negotiations (sha256, negotiation)
       SELECT decode(h, 'hex'), j::jsonb FROM unnest($1::text[], $2::text[]) AS x(h, j)
     ON CONFLICT DO NOTHING`,
    [[...wanted.keys()], [...wanted.values()]],
  );
  return res.rowCount ?? 0;
}
