/**
 * Monthly range partitions of audit.events, created ahead (at start-up and every few hours: this month and the
 * next `monthsAhead`) and on demand for any month a batch needs (a replay of old events, a late event), through
 * the SECURITY DEFINER function audit.ensure_event_partitions, so the writer role needs no DDL right.
 * No DEFAULT partition: every row lands in its month, and retention can drop a month whole.
 */
import type pg from 'pg';

/** First instant (UTC) of the month of an RFC 3339 timestamp, as 'YYYY-MM-01T00:00:00Z'. */
export function monthStart(timestamp: string): string {
  return `${timestamp.slice(0, 7)}-01T00:00:00Z`;
}

export function addMonths(date: Date, months: number): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
}

export class PartitionKeeper {
  readonly #pool: pg.Pool;
  readonly #known = new Set<string>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** This month and `monthsAhead` more; returns how many partitions were created. */
  async ensureAhead(now: Date, monthsAhead: number): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>(
      'SELECT audit.ensure_event_partitions($1, $2) AS n',
      [addMonths(now, 0).toISOString(), addMonths(now, monthsAhead).toISOString()],
    );
    return rows[0]?.n ?? 0;
  }

  /** Makes sure the month of every timestamp has its partition (one call per month not seen before). */
  async ensureFor(timestamps: Iterable<string>): Promise<number> {
    const months = new Set<string>();
    for (const t of timestamps) {
      const m = monthStart(t);
      if (!this.#known.has(m)) months.add(m);
    }
    let created = 0;
    for (const m of months) {
      const { rows } = await this.#pool.query<{ n: number }>(
        'SELECT audit.ensure_event_partitions($1, $1) AS n',
        [m],
      );
      created += rows[0]?.n ?? 0;
      this.#known.add(m);
    }
    return created;
  }

  /** After retention dropped partitions (or an insert found none): ask the database again. */
  forget(): void {
    this.#known.clear();
  }
}
