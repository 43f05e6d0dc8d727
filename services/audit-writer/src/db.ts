/**
 * The writer's Postgres pool. With a role configured (AUDIT_WRITER_DB_ROLE, default dicomtrail_writer) every
 * connection starts with that role (`-c role=`, i.e. SET ROLE), so the service works with the writer role's rights only: INSERT into the
 * trail, its own bookkeeping and the projections; never UPDATE or DELETE of a trail row.
 */
import { DicomtrailError, type Logger } from '@dicomtrail/runtime';
import pg from 'pg';

/** The tables a writer needs to see. */
const WRITER_TABLES = ['events', 'associations', 'operations'] as const;

export async function createPool(
  databaseUrl: string,
  role: string,
  log: Logger,
  max = 3,
  tables: readonly string[] = WRITER_TABLES,
): Promise<pg.Pool> {
  // The role is a startup parameter of every connection (as SET ROLE would do, before any query).
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    ...(role.length > 0 ? { options: `-c role=${role}` } : {}),
  });
  pool.on('error', (err) => log.error({ err }, 'idle Postgres connection failed'));
  await checkSchema(pool, role, tables);
  return pool;
}

async function checkSchema(pool: pg.Pool, role: string, tables: readonly string[]): Promise<void> {
  let rows: { n: string; role: string }[];
  try {
    ({ rows } = await pool.query<{ n: string; role: string }>(
      `SELECT count(*)::text AS n, current_user AS role FROM information_schema.tables
        WHERE table_schema = 'audit' AND table_name = ANY($1::text[])`,
      [tables],
    ));
  } catch (err) {
    await pool.end();
    throw new DicomtrailError(
      'DT_ERR_AUDIT_DB',
      `cannot use the audit database: ${(err as Error).message}`,
      { role },
      err,
    );
  }
  if (role.length > 0 && rows[0]?.role !== role) {
    await pool.end();
    throw new DicomtrailError('DT_ERR_AUDIT_DB_ROLE', `could not SET ROLE ${role}: is the user a member?`, {
      role,
    });
  }
  if (rows[0]?.n !== String(tables.length)) {
    await pool.end();
    throw new DicomtrailError(
      'DT_ERR_AUDIT_SCHEMA',
      'the audit tables are missing: run `npm run migrate` first',
      {},
    );
  }
}
