/**
 * The writer's Postgres pool. The writer logs in as its own role (dicomtrail_audit_writer, migration 0009), which
 * holds only the writer's rights: INSERT into the trail, its own bookkeeping and the projections, chain heads
 * only through audit.advance_chain_heads; never UPDATE or DELETE of a trail row. A superuser login is refused:
 * a compromised writer must not be one.
 */
import { DicomtrailError, type Logger } from '@dicomtrail/runtime';
import pg from 'pg';

export async function createPool(databaseUrl: string, log: Logger, max = 3): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  pool.on('error', (err) => log.error({ err }, 'idle Postgres connection failed'));
  await checkSchema(pool);
  return pool;
}

async function checkSchema(pool: pg.Pool): Promise<void> {
  let rows: { n: string; role: string; superuser: boolean }[];
  try {
    ({ rows } = await pool.query<{ n: string; role: string; superuser: boolean }>(
      `SELECT count(*)::text AS n, session_user AS role,
              (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user) AS superuser
         FROM information_schema.tables
        WHERE table_schema = 'audit' AND table_name IN ('events', 'associations', 'operations')`,
    ));
  } catch (err) {
    await pool.end();
    throw new DicomtrailError(
      'DT_ERR_AUDIT_DB',
      `cannot use the audit database: ${(err as Error).message}`,
      {},
      err,
    );
  }
  if (rows[0]?.superuser) {
    await pool.end();
    throw new DicomtrailError(
      'DT_ERR_AUDIT_DB_ROLE',
      `the audit writer must not log in as a superuser (${rows[0].role}): use its own role, dicomtrail_audit_writer (AUDIT_WRITER_DATABASE_URL)`,
      { role: rows[0].role },
    );
  }
  if (rows[0]?.n !== '3') {
    await pool.end();
    throw new DicomtrailError(
      'DT_ERR_AUDIT_SCHEMA',
      'the audit tables are missing or not readable: run `npm run migrate` first',
      {},
    );
  }
}

/**
 * A pool whose every connection takes `role` at start-up (`-c role=`, as SET ROLE would), for a process that
 * reads a few audit tables with a role of its own: the anchoring process (dicomtrail_anchor, migration 0013).
 * Refused unless the role was taken and `tables` are all visible to it.
 */
export async function createRolePool(
  databaseUrl: string,
  role: string,
  log: Logger,
  max: number,
  tables: readonly string[],
): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, options: `-c role=${role}` });
  pool.on('error', (err) => log.error({ err }, 'idle Postgres connection failed'));
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
  if (rows[0]?.role !== role) {
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
  return pool;
}
