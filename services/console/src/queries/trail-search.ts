/** The trail search: one page of operations matching the filter, newest first, and a count capped for speed. */
import type pg from 'pg';
import { type SearchFilter, whereClause } from '../search-filter.js';

export interface SearchRow {
  started_at: Date;
  service: string;
  message_id: number;
  status: number | null;
  status_category: string | null;
  patient_id: string | null;
  patient_name: string | null;
  study_instance_uid: string | null;
  accession_number: string | null;
  sop_class_uid: string | null;
  move_destination: string | null;
  association_id: string;
  calling_ae_title: string | null;
  called_ae_title: string | null;
  remote_address: string | null;
  user_identity: string | null;
  duration_ms: number | null;
}

export interface SearchResult {
  rows: SearchRow[];
  /** Exact up to the cap; `capped` says there are more. */
  count: number;
  capped: boolean;
}

const FROM = 'FROM audit.operations o JOIN audit.associations a USING (association_id)';

export async function searchTrail(
  db: pg.Pool,
  f: SearchFilter,
  pageSize: number,
  countLimit: number,
): Promise<SearchResult> {
  const w = whereClause(f);
  const n = w.params.length;
  const [page, count] = await Promise.all([
    db.query<SearchRow>(
      `SELECT o.started_at, o.service, o.message_id, o.status, o.status_category, o.patient_id, o.patient_name,
              o.study_instance_uid, o.accession_number, o.sop_class_uid, o.move_destination, o.association_id,
              a.calling_ae_title, a.called_ae_title, a.remote_address, a.user_identity,
              (extract(epoch FROM o.duration) * 1000)::float8 AS duration_ms
         ${FROM} WHERE ${w.sql}
        ORDER BY o.started_at DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...w.params, pageSize, (f.page - 1) * pageSize],
    ),
    db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 ${FROM} WHERE ${w.sql} LIMIT $${n + 1}) x`,
      [...w.params, countLimit + 1],
    ),
  ]);
  const c = count.rows[0]?.n ?? 0;
  return { rows: page.rows, count: Math.min(c, countLimit), capped: c > countLimit };
}
