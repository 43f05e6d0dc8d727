/**
 * The console's Postgres pool. Every connection starts with CONSOLE_DB_ROLE (`-c role=`, as SET ROLE before any
 * query), so whichever login the URL names, the console can only read the trail and keep its own console.*
 * tables. `checkDatabase` fails start-up with a clear error when the role cannot be taken or the tables are missing.
 */
import pg from 'pg';
import { ConsoleError } from './errors.js';

export function createPool(url: string, role: string): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max: 8,
    application_name: 'dicomtrail-console',
    ...(role !== '' ? { options: `-c role=${role}` } : {}),
  });
}

export async function checkDatabase(pool: pg.Pool, role: string): Promise<void> {
  type Row = { role: string; trail: boolean; accounts: boolean };
  let row: Row | undefined;
  try {
    ({
      rows: [row],
    } = await pool.query<Row>(
      `SELECT current_user AS role, to_regclass('audit.operations') IS NOT NULL AS trail,
              to_regclass('console.users') IS NOT NULL AS accounts`,
    ));
  } catch (err) {
    throw new ConsoleError(
      'DT_ERR_CONSOLE_DB',
      503,
      `cannot use the console database: ${(err as Error).message}`,
      { role },
      err,
    );
  }
  if (role !== '' && row?.role !== role)
    throw new ConsoleError(
      'DT_ERR_CONSOLE_DB_ROLE',
      503,
      `could not take role ${role}: is the login a member of it?`,
      { role },
    );
  if (!row?.trail || !row.accounts)
    throw new ConsoleError(
      'DT_ERR_CONSOLE_SCHEMA',
      503,
      'the audit or console tables are missing: run `npm run migrate` first',
    );
}
