/**
 * Multi-row INSERT from one JSON parameter: `INSERT INTO t (cols) SELECT cols FROM json_to_recordset($1) AS
 * x(col type, ...)`. One bind parameter for the whole batch (no 65,535-parameter limit, unlike VALUES lists), no
 * per-value array escaping in JavaScript (JSON.stringify is native), jsonb columns passed as nested JSON.
 */
import type pg from 'pg';

export type Column = readonly [name: string, pgType: string];

export function recordsetSql(table: string, columns: readonly Column[]): string {
  const names = columns.map(([n]) => n).join(', ');
  const defs = columns.map(([n, t]) => `${n} ${t}`).join(', ');
  return `INSERT INTO ${table} AS t (${names}) SELECT ${names} FROM json_to_recordset($1::json) AS x(${defs})`;
}

/** How a projection column combines with the row already there on conflict (and with earlier events in JS). */
export type Merge = 'key' | 'latest' | 'first' | 'sum' | 'min' | 'max' | 'or';

export interface ProjectionColumn {
  name: string;
  type: string;
  merge: Merge;
}

export function upsertSql(table: string, columns: readonly ProjectionColumn[]): string {
  const keys = columns.filter((c) => c.merge === 'key').map((c) => c.name);
  const sets = columns
    .filter((c) => c.merge !== 'key')
    .map((c) => `${c.name} = ${mergeExpr(c)}`)
    .join(', ');
  const insert = recordsetSql(
    table,
    columns.map((c) => [c.name, c.type]),
  );
  return `${insert} ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${sets}`;
}

function mergeExpr({ name, merge }: ProjectionColumn): string {
  switch (merge) {
    case 'latest':
      return `coalesce(EXCLUDED.${name}, t.${name})`;
    case 'first':
      return `coalesce(t.${name}, EXCLUDED.${name})`;
    case 'sum':
      return `t.${name} + EXCLUDED.${name}`;
    case 'min':
      return `least(t.${name}, EXCLUDED.${name})`;
    case 'max':
      return `greatest(t.${name}, EXCLUDED.${name})`;
    case 'or':
      return `t.${name} OR EXCLUDED.${name}`;
    default:
      return `t.${name}`;
  }
}

type Row = Record<string, unknown>;

/** The same merge in JavaScript, to fold a batch's events into one row per key before the upsert. */
export function mergeRow(columns: readonly ProjectionColumn[], into: Row, next: Row): void {
  for (const { name, merge } of columns) {
    const a = into[name];
    const b = next[name];
    if (b === null || b === undefined) continue;
    if (a === null || a === undefined) {
      into[name] = b;
      continue;
    }
    switch (merge) {
      case 'latest':
        into[name] = b;
        break;
      case 'sum':
        into[name] = (a as number) + (b as number);
        break;
      case 'min':
        into[name] = (b as string | number) < (a as string | number) ? b : a;
        break;
      case 'max':
        into[name] = (b as string | number) > (a as string | number) ? b : a;
        break;
      case 'or':
        into[name] = Boolean(a) || Boolean(b);
        break;
      default:
        break;
    }
  }
}

export async function upsertRows(client: pg.ClientBase, sql: string, rows: readonly Row[]): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await client.query(sql, [JSON.stringify(rows)]);
  return res.rowCount ?? 0;
}
