/**
 * The overview: associations per calling AE over the period (for the chart), recent failed operations, rejected
 * and aborted associations, open sequence-gap findings, and the chain heads checked against their rows.
 */
import type pg from 'pg';
import type { Period } from './patient-report.js';

export interface ActivityPoint {
  ae_title: string;
  bucket: Date;
  associations: number;
}

export interface Overview {
  bucket: 'hour' | 'day';
  activity: ActivityPoint[];
  totals: {
    associations: number;
    operations: number;
    failed_operations: number;
    rejected: number;
    aborted: number;
  };
  failed: Record<string, unknown>[];
  refused: Record<string, unknown>[];
  gaps: Record<string, unknown>[];
  chains: { chain_id: string; position: string; updated_at: Date; head_matches: boolean | null }[];
}

const TOP_AES = 8;

export async function overview(db: pg.Pool, p: Period): Promise<Overview> {
  const bucket = p.to.getTime() - p.from.getTime() <= 3 * 86_400_000 ? 'hour' : 'day';
  const [activity, totals, failed, refused, gaps, chains] = await Promise.all([
    db.query<ActivityPoint>(
      `WITH x AS (
         SELECT coalesce(nullif(calling_ae_title, ''), '(none)') AS ae_title,
                date_trunc('${bucket}', requested_at) AS bucket
           FROM audit.associations
          WHERE requested_at >= $1 AND requested_at < $2 AND (node_mode IS DISTINCT FROM 'proxy' OR role = 'acceptor')
       ), top AS (SELECT ae_title FROM x GROUP BY 1 ORDER BY count(*) DESC LIMIT ${TOP_AES})
       SELECT ae_title, bucket, count(*)::int AS associations FROM x JOIN top USING (ae_title)
        GROUP BY 1, 2 ORDER BY 2, 1`,
      [p.from, p.to],
    ),
    db.query(
      `SELECT count(*)::int AS associations, coalesce(sum(operation_count), 0)::int AS operations,
              coalesce(sum(failed_operation_count), 0)::int AS failed_operations,
              count(*) FILTER (WHERE outcome = 'rejected')::int AS rejected,
              count(*) FILTER (WHERE outcome = 'aborted')::int AS aborted
         FROM audit.associations WHERE requested_at >= $1 AND requested_at < $2`,
      [p.from, p.to],
    ),
    db.query(
      `SELECT started_at, service, status_hex, error_comment, sop_class_uid, calling_ae_title, called_ae_title,
              remote_address, association_id
         FROM audit.failed_operations WHERE started_at >= $1 AND started_at < $2 ORDER BY started_at DESC LIMIT 20`,
      [p.from, p.to],
    ),
    db.query(
      `SELECT association_id, requested_at, outcome, calling_ae_title, called_ae_title, remote_address,
              cause_reason_name, cause_initiator, cause_detail
         FROM audit.associations
        WHERE outcome IN ('rejected', 'aborted') AND requested_at >= $1 AND requested_at < $2
        ORDER BY requested_at DESC LIMIT 20`,
      [p.from, p.to],
    ),
    db.query('SELECT * FROM audit.open_seq_findings ORDER BY detected_at DESC LIMIT 20'),
    db.query(
      `SELECT h.chain_id, h.position::text AS position, h.updated_at,
              (SELECT e.row_hash = h.head_hash FROM audit.events e
                WHERE e.chain_id = h.chain_id AND e.chain_position = h.position LIMIT 1) AS head_matches
         FROM (SELECT * FROM audit.chain_heads ORDER BY updated_at DESC LIMIT 24) h`,
    ),
  ]);
  return {
    bucket,
    activity: activity.rows,
    totals: totals.rows[0] as Overview['totals'],
    failed: failed.rows,
    refused: refused.rows,
    gaps: gaps.rows,
    chains: chains.rows,
  };
}
