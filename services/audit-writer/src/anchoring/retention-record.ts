/**
 * How a chain may leave the database: only with its whole month, dropped by the retention job, which keeps
 * the chain's final head in audit.chain_anchors and records the run as an EVT_RETENTION event in the trail (a
 * chained, anchored row naming the partition). A chain that is anchored but gone is accounted for only when
 * such a record names its month and the record keeps the policy: the month ended before the record's cutoff,
 * the cutoff is the record's time minus its retention days, those days are at least the policy's, the record
 * is not dated after it was first seen, and the final head is the anchored head or extends it. Whoever drops a
 * month by hand, even with a forged record, can at most drop what the retention job would have dropped.
 */
import type pg from 'pg';
import type { AnchoredHead, RetentionFact } from './anchor-record.js';

const DAY_MS = 86_400_000;
const PARTITION_RE = /(?:^|\/)events_(\d{4})_(\d{2})$/;

export interface RetiredInDatabase {
  /** The final head audit.chain_anchors keeps. */
  final: AnchoredHead;
  fact: RetentionFact | null;
}

/** What the database says about chains that left it: final heads and the retention record naming each month. */
export async function readRetired(
  pool: pg.Pool,
  chainIds: readonly string[],
): Promise<Map<string, RetiredInDatabase>> {
  const { rows } = await pool.query<{
    chain_id: string;
    partition: string;
    position: number;
    hash: string;
    event_id: string | null;
    occurred_at: string | null;
    cutoff: string | null;
    retention_days: number | null;
  }>(
    `SELECT a.chain_id, a.partition, a.position::float8 AS position, encode(a.head_hash, 'hex') AS hash,
            e.id::text AS event_id,
            to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at,
            e.cutoff, e.retention_days
       FROM audit.chain_anchors a
       LEFT JOIN LATERAL (
         SELECT id, occurred_at, cutoff, retention_days FROM audit.retention_runs
          WHERE partitions @> jsonb_build_array(jsonb_build_object('name', a.partition))
          ORDER BY occurred_at LIMIT 1) e ON true
      WHERE a.chain_id = ANY($1::text[])`,
    [chainIds],
  );
  return new Map(
    rows.map((r) => [
      r.chain_id,
      {
        final: { chain_id: r.chain_id, position: r.position, hash: r.hash },
        fact:
          r.event_id && r.occurred_at && r.cutoff
            ? {
                event_id: r.event_id,
                occurred_at: r.occurred_at,
                cutoff: r.cutoff,
                retention_days: r.retention_days ?? 0,
                partition: r.partition,
              }
            : null,
      },
    ]),
  );
}

/** The month a chain lives in (its id ends with events_YYYY_MM): [from, to). */
export function monthOfChain(chainId: string): { partition: string; to: Date } | undefined {
  const m = PARTITION_RE.exec(chainId);
  if (!m) return undefined;
  return { partition: `events_${m[1]}_${m[2]}`, to: new Date(Date.UTC(Number(m[1]), Number(m[2]), 1)) };
}

/**
 * Why the retention record does not account for the chain's absence, or undefined when it does.
 * `notAfter`: when the absence was first seen (the anchor that recorded it, or now).
 */
export function unaccountedDrop(
  anchored: AnchoredHead,
  final: AnchoredHead | undefined,
  fact: RetentionFact | null,
  policy: { minRetentionDays: number; notAfter: Date },
): string | undefined {
  if (!fact) return 'no retention record names its month (dropped outside the retention job)';
  const month = monthOfChain(anchored.chain_id);
  if (!month || month.partition !== fact.partition) {
    return `the retention record ${fact.event_id} names ${fact.partition}, not this chain's month`;
  }
  if (!final) return `the final head of the chain is not recorded (audit.chain_anchors has no row)`;
  if (
    final.position < anchored.position ||
    (final.position === anchored.position && final.hash !== anchored.hash)
  ) {
    return `the final head recorded at retention (position ${final.position} hash ${final.hash}) does not extend the anchored head (position ${anchored.position} hash ${anchored.hash})`;
  }
  if (fact.retention_days < policy.minRetentionDays) {
    return `the retention record ${fact.event_id} keeps ${fact.retention_days} days; the policy is at least ${policy.minRetentionDays}`;
  }
  const at = Date.parse(fact.occurred_at);
  const cutoff = Date.parse(fact.cutoff);
  if (cutoff > at - fact.retention_days * DAY_MS + 1000) {
    return `the retention record ${fact.event_id} has cutoff ${fact.cutoff}, later than its time minus ${fact.retention_days} days`;
  }
  if (month.to.getTime() > cutoff) {
    return `${fact.partition} ends ${month.to.toISOString()}, after the retention cutoff ${fact.cutoff}`;
  }
  if (at > policy.notAfter.getTime()) {
    return `the retention record ${fact.event_id} is dated ${fact.occurred_at}, after the drop was seen (${policy.notAfter.toISOString()})`;
  }
  return undefined;
}
