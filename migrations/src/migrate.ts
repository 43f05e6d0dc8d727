import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DicomtrailError } from '@dicomtrail/runtime';
import pg from 'pg';

/**
 * A small forward-only SQL migration runner.
 * - Files: `sql/NNNN_verb_object.sql`, applied in order, each in its own transaction.
 * - Recorded in `public.dicomtrail_migrations (id, checksum, applied_at)`; a file changed after it was
 *   applied is an error (migrations are never edited after merge: add a new one).
 * - A session advisory lock serialises concurrent runners.
 */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql');
const LOCK_KEY = 7_241_865_325_823_964n;
const FILE_RE = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  id: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const file of files) {
    if (!FILE_RE.test(file)) {
      throw new DicomtrailError(
        'DT_ERR_MIGRATION_NAME',
        `migration file ${file} does not match NNNN_name.sql`,
        { file },
      );
    }
    const sql = await readFile(path.join(dir, file), 'utf8');
    out.push({
      id: file.replace(/\.sql$/, ''),
      file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  return out;
}

export async function migrate(
  databaseUrl: string,
  opts: { dir?: string; log?: (msg: string) => void } = {},
): Promise<MigrateResult> {
  const log = opts.log ?? (() => {});
  const migrations = await loadMigrations(opts.dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS public.dicomtrail_migrations (
      id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ id: string; checksum: string }>(
      'SELECT id, checksum FROM public.dicomtrail_migrations',
    );
    const done = new Map(rows.map((r) => [r.id, r.checksum]));
    const result: MigrateResult = { applied: [], skipped: [] };
    for (const m of migrations) {
      const seen = done.get(m.id);
      if (seen !== undefined) {
        if (seen !== m.checksum) {
          throw new DicomtrailError(
            'DT_ERR_MIGRATION_CHANGED',
            `migration ${m.file} was changed after it was applied (checksum ${seen.slice(0, 12)} → ${m.checksum.slice(0, 12)}); add a new migration instead`,
            { id: m.id },
          );
        }
        result.skipped.push(m.id);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO public.dicomtrail_migrations (id, checksum) VALUES ($1, $2)', [
          m.id,
          m.checksum,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new DicomtrailError(
          'DT_ERR_MIGRATION_FAILED',
          `migration ${m.file} failed: ${(err as Error).message}`,
          { id: m.id },
          err,
        );
      }
      log(`applied ${m.file}`);
      result.applied.push(m.id);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY.toString()]).catch(() => undefined);
    await client.end();
  }
}
