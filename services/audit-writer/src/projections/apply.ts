/**
 * Applies newly inserted events to the projections and the seq findings, inside the caller's transaction.
 * Only rows that were actually inserted come here, so counters never count a redelivered event twice.
 */
import type pg from 'pg';
import type { EventContent } from '../event-row.js';
import { upsertRows } from '../json-rows.js';
import { foldAssociations, UPSERT_ASSOCIATIONS } from './associations.js';
import { foldOperations, UPSERT_OPERATIONS } from './operations.js';
import { type SeqFinding, scanSeqs } from './seq-gaps.js';

const INSERT_FINDINGS = `INSERT INTO audit.seq_findings (association_id, expected_seq, got_seq)
  SELECT association_id, expected_seq, got_seq
    FROM json_to_recordset($1::json) AS x(association_id uuid, expected_seq bigint, got_seq bigint)
  ON CONFLICT (association_id, expected_seq) DO NOTHING`;

/** A finding is resolved once every seq it names is in the trail. */
const RESOLVE_FINDINGS = `UPDATE audit.seq_findings f SET resolved_at = now()
  WHERE f.resolved_at IS NULL AND f.association_id = ANY($1::uuid[])
    AND (SELECT count(DISTINCT e.seq) FROM audit.events e
          WHERE e.association_id = f.association_id AND e.seq >= f.expected_seq AND e.seq < f.got_seq)
        = f.got_seq - f.expected_seq`;

/** Sorts by association then seq: the order projections fold in. */
export function inSeqOrder(events: readonly EventContent[]): EventContent[] {
  return [...events].sort((a, b) =>
    a.association_id === b.association_id
      ? a.seq - b.seq
      : (a.association_id ?? '') < (b.association_id ?? '')
        ? -1
        : 1,
  );
}

export interface ProjectionResult {
  associations: number;
  operations: number;
  findings: number;
}

export async function applyProjections(
  client: pg.ClientBase,
  inserted: readonly EventContent[],
): Promise<ProjectionResult> {
  const ordered = inSeqOrder(inserted.filter((e) => e.association_id !== null));
  if (ordered.length === 0) return { associations: 0, operations: 0, findings: 0 };
  const findings = await scanForGaps(client, ordered);
  const associations = foldAssociations(ordered);
  const operations = foldOperations(ordered);
  await upsertRows(client, UPSERT_ASSOCIATIONS, associations);
  await upsertRows(client, UPSERT_OPERATIONS, operations);
  return { associations: associations.length, operations: operations.length, findings };
}

async function scanForGaps(client: pg.ClientBase, ordered: readonly EventContent[]): Promise<number> {
  const seqs = new Map<string, number[]>();
  for (const e of ordered) {
    const id = e.association_id as string;
    const list = seqs.get(id);
    if (list) list.push(e.seq);
    else seqs.set(id, [e.seq]);
  }
  const ids = [...seqs.keys()];
  const { rows } = await client.query<{ association_id: string; max_seq: number }>(
    'SELECT association_id, max_seq::float8 AS max_seq FROM audit.associations WHERE association_id = ANY($1::uuid[])',
    [ids],
  );
  const stored = new Map(rows.map((r) => [r.association_id, r.max_seq]));
  const findings: SeqFinding[] = [];
  const late: string[] = [];
  for (const [id, list] of seqs) {
    const scan = scanSeqs(id, stored.get(id) ?? -1, list);
    findings.push(...scan.findings);
    if (scan.late) late.push(id);
  }
  if (findings.length > 0) await client.query(INSERT_FINDINGS, [JSON.stringify(findings)]);
  if (late.length > 0) await client.query(RESOLVE_FINDINGS, [late]);
  return findings.length;
}
