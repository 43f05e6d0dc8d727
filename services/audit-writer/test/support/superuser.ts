/**
 * What a database superuser can do to the trail behind the writer's back (triggers off with
 * session_replication_role = replica): rewrite a row and recompute every later hash and the head with the
 * writer's own hash code, cut a chain's tail and set its head back, drop a month without the retention job.
 * Afterwards the plain hash walk passes: only the anchors can tell.
 */
import type pg from 'pg';
import { EVENT_ROW_SELECT, EVENT_ROWS_FROM, rowFromDb } from '../../src/event-row.js';
import { hashedContent, rowHash } from '../../src/hash-chain.js';

async function asSuperuser(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<void>): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SET LOCAL session_replication_role = replica');
    await work(c);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
}

/** Changes the calling AE title of the row at `position`, then re-links it and every later row and the head. */
export function rewriteFrom(pool: pg.Pool, chainId: string, position: number): Promise<void> {
  return asSuperuser(pool, async (c) => {
    await c.query(
      `UPDATE audit.events SET calling_ae_title = 'FORGED' WHERE chain_id = $1 AND chain_position = $2`,
      [chainId, position],
    );
    const { rows } = await c.query(
      `SELECT ${EVENT_ROW_SELECT} FROM ${EVENT_ROWS_FROM} WHERE chain_id = $1 AND chain_position >= $2
        ORDER BY chain_position`,
      [chainId, position],
    );
    let prev = rowFromDb(rows[0]).prev_hash;
    for (const r of rows) {
      const row = rowFromDb(r);
      const hash = rowHash(prev, hashedContent(row));
      await c.query(
        `UPDATE audit.events SET prev_hash = decode($2, 'hex'), row_hash = decode($3, 'hex') WHERE id = $1`,
        [row.id, prev, hash],
      );
      prev = hash;
    }
    await c.query(`UPDATE audit.chain_heads SET head_hash = decode($2, 'hex') WHERE chain_id = $1`, [
      chainId,
      prev,
    ]);
  });
}

/** Deletes the rows after `keep` and sets the head to the row at `keep`. */
export function truncateTail(pool: pg.Pool, chainId: string, keep: number): Promise<void> {
  return asSuperuser(pool, async (c) => {
    await c.query('DELETE FROM audit.events WHERE chain_id = $1 AND chain_position > $2', [chainId, keep]);
    await c.query(
      `UPDATE audit.chain_heads h SET position = $2,
              head_hash = (SELECT row_hash FROM audit.events WHERE chain_id = $1 AND chain_position = $2)
        WHERE h.chain_id = $1`,
      [chainId, keep],
    );
  });
}

/** Drops a monthly partition and its chains' heads, as the retention job would but without its record. */
export function dropMonthByHand(pool: pg.Pool, partition: string): Promise<void> {
  return asSuperuser(pool, async (c) => {
    await c.query(`ALTER TABLE audit.events DETACH PARTITION audit.${partition}`);
    await c.query(`DROP TABLE audit.${partition}`);
    await c.query('DELETE FROM audit.chain_heads WHERE partition = $1', [partition]);
  });
}
