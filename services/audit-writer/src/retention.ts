/**
 * `dicomtrail audit retention`: drops the monthly partitions of audit.events that end before now minus the
 * retention age, and records that it did as an EVT_RETENTION event in the trail itself (chained like any row,
 * in the chain `dicomtrail.retention/0/<month>`). Before a partition goes, the heads of its chains move to
 * audit.chain_anchors, so verify still proves every chain that remains and can tell a dropped chain from a
 * deleted one. Runs as its own login, dicomtrail_retention, which drops a month only through
 * audit.drop_event_partition (migration 0009: the owner's function, refusing a month younger than
 * audit.retention_policy.min_days); a retention age below the configured floor is refused before anything.
 * Projection rows of associations whose last event is older than the cutoff are deleted with them.
 * Writers wait meanwhile (EXCLUSIVE lock on the checkpoints).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { DicomtrailError } from '@dicomtrail/runtime';
import { assertEvent, type DicomtrailEvent, SCHEMA_ID, uuidv7 } from '@dicomtrail/schemas';
import type pg from 'pg';
import { insertLinked } from './batch-writer.js';
import { contentOf } from './event-row.js';

export const RETENTION_SOURCE = { topic: 'dicomtrail.retention', partition: 0 } as const;

export interface DroppedPartition {
  name: string;
  from: string;
  to: string;
  rows: number;
}

export interface RetentionReport {
  cutoff: string;
  dropped: DroppedPartition[];
  event_id: string;
}

const NAME_RE = /^events_(\d{4})_(\d{2})$/;

/** RFC 3339 with six fractional digits, as envelopes carry it. */
export function micros(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Partitions (by name) whose whole month lies before the cutoff. */
export function expiredPartitions(
  names: readonly string[],
  cutoff: Date,
): { name: string; from: Date; to: Date }[] {
  const out: { name: string; from: Date; to: Date }[] = [];
  for (const name of names) {
    const m = NAME_RE.exec(name);
    if (!m) continue;
    const from = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
    const to = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
    if (to.getTime() <= cutoff.getTime()) out.push({ name, from, to });
  }
  return out.sort((a, b) => a.from.getTime() - b.from.getTime());
}

/** Six years: HIPAA keeps required documentation six years (45 CFR 164.316(b)(2)). */
export const DEFAULT_RETENTION_MIN_DAYS = 2190;

export async function runRetention(
  pool: pg.Pool,
  opts: { retentionDays: number; minDays?: number; now?: Date; nodeId?: string; version?: string },
): Promise<RetentionReport> {
  const minDays = opts.minDays ?? DEFAULT_RETENTION_MIN_DAYS;
  if (opts.retentionDays < minDays) {
    throw new DicomtrailError(
      'DT_ERR_AUDIT_RETENTION_FLOOR',
      `retention refused: ${opts.retentionDays} days is below the floor of ${minDays} days (AUDIT_RETENTION_MIN_DAYS)`,
      { retention_days: opts.retentionDays, min_days: minDays },
    );
  }
  const now = opts.now ?? new Date();
  const cutoff = new Date(now.getTime() - opts.retentionDays * 86_400_000);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE audit.consumer_checkpoints IN EXCLUSIVE MODE');
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit.events'::regclass`,
    );
    const dropped: DroppedPartition[] = [];
    for (const p of expiredPartitions(
      rows.map((r) => r.name),
      cutoff,
    )) {
      dropped.push({
        name: p.name,
        from: micros(p.from),
        to: micros(p.to),
        rows: await dropPartition(client, p.name),
      });
    }
    if (dropped.length > 0) await pruneProjections(client, cutoff);
    const event = await retentionEvent(client, { ...opts, now, cutoff, dropped });
    await client.query('SELECT audit.ensure_event_partitions($1, $1)', [event.timestamp]);
    await insertLinked(client, RETENTION_SOURCE, [
      contentOf(event, { ...RETENTION_SOURCE, offset: String(event.seq) }),
    ]);
    await client.query('COMMIT');
    return { cutoff: micros(cutoff), dropped, event_id: event.id };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new DicomtrailError(
      'DT_ERR_AUDIT_RETENTION',
      `retention failed: ${(err as Error).message}`,
      {},
      err,
    );
  } finally {
    client.release();
  }
}

/** Anchors the partition's chains, detaches and drops it (the owner's function, which checks the floor). */
async function dropPartition(client: pg.ClientBase, name: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>('SELECT audit.drop_event_partition($1)::float8 AS n', [
    name,
  ]);
  return rows[0]?.n ?? 0;
}

/** Projection rows of associations that ended before the cutoff go with their events. */
async function pruneProjections(client: pg.ClientBase, cutoff: Date): Promise<void> {
  await client.query(
    `DELETE FROM audit.operations o USING audit.associations a
      WHERE o.association_id = a.association_id AND a.last_event_at < $1`,
    [cutoff],
  );
  await client.query(
    'DELETE FROM audit.seq_findings f USING audit.associations a WHERE f.association_id = a.association_id AND a.last_event_at < $1',
    [cutoff],
  );
  await client.query('DELETE FROM audit.associations WHERE last_event_at < $1', [cutoff]);
}

async function retentionEvent(
  client: pg.ClientBase,
  o: {
    now: Date;
    cutoff: Date;
    retentionDays: number;
    dropped: DroppedPartition[];
    nodeId?: string;
    version?: string;
  },
): Promise<DicomtrailEvent> {
  const nodeId = o.nodeId ?? os.hostname();
  const { rows } = await client.query<{ seq: number }>(
    `SELECT coalesce(max(seq) + 1, 0)::float8 AS seq FROM audit.events WHERE type = 'EVT_RETENTION' AND node_id = $1`,
    [nodeId],
  );
  const event = {
    schema: SCHEMA_ID,
    id: uuidv7(),
    type: 'EVT_RETENTION',
    kind: 'notification',
    timestamp: micros(o.now),
    seq: rows[0]?.seq ?? 0,
    node: { id: nodeId, hostname: os.hostname(), version: o.version ?? '0.1.0', mode: 'retention' },
    params: { cutoff: micros(o.cutoff), retention_days: o.retentionDays, partitions: o.dropped },
    trace: { trace_id: nonZeroHex(16), span_id: nonZeroHex(8) },
  };
  return assertEvent(event);
}

function nonZeroHex(bytes: number): string {
  const b = randomBytes(bytes);
  b[0] = b[0]! | 1;
  return b.toString('hex');
}
