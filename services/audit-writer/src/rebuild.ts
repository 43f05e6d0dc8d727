/**
 * `dicomtrail audit rebuild-projections`: empties audit.associations, audit.operations and audit.seq_findings and
 * folds them again from audit.events, in (association, seq) order, in one transaction (readers see the old
 * projections until it commits). It first takes an EXCLUSIVE lock on the checkpoints, so running writers wait
 * at their next batch instead of folding events twice. Findings come back as the trail is now: gaps filled
 * since are no longer findings.
 */
import type pg from 'pg';
import { EVENT_ROW_SELECT, EVENT_ROWS_FROM, rowFromDb } from './event-row.js';
import { applyProjections } from './projections/apply.js';

const PAGE = 5000;

export interface RebuildReport {
  events: number;
  associations: number;
  operations: number;
  findings: number;
}

export async function rebuildProjections(pool: pg.Pool): Promise<RebuildReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE audit.consumer_checkpoints IN EXCLUSIVE MODE');
    await client.query('TRUNCATE audit.associations, audit.operations, audit.seq_findings');
    const report = { events: 0, associations: 0, operations: 0, findings: 0 };
    let after: { association_id: string; seq: number; id: string } | undefined;
    for (;;) {
      const { rows } = await client.query(
        `SELECT ${EVENT_ROW_SELECT} FROM ${EVENT_ROWS_FROM} WHERE association_id IS NOT NULL
           ${after ? 'AND (association_id, seq, id) > ($1::uuid, $2::bigint, $3::uuid)' : ''}
         ORDER BY association_id, seq, id LIMIT ${PAGE}`,
        after ? [after.association_id, after.seq, after.id] : [],
      );
      const events = rows.map(rowFromDb);
      const applied = await applyProjections(client, events);
      report.events += events.length;
      report.findings += applied.findings;
      const last = events[events.length - 1];
      if (!last || events.length < PAGE) break;
      after = { association_id: last.association_id as string, seq: last.seq, id: last.id };
    }
    const counts = await client.query<{ a: number; o: number }>(
      'SELECT (SELECT count(*) FROM audit.associations)::int AS a, (SELECT count(*) FROM audit.operations)::int AS o',
    );
    await client.query('COMMIT');
    return { ...report, associations: counts.rows[0]?.a ?? 0, operations: counts.rows[0]?.o ?? 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
