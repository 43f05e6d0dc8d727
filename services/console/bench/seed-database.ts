/**
 * The benchmark's database: created and migrated when missing, seeded once with BENCH_EVENTS synthetic events by
 * bench/seed.sql (generate_series straight into audit.events and the projections), and kept for later runs: the
 * seeding takes tens of minutes on a shared 2-core machine, the report milliseconds. A marker table records how
 * many events were seeded and how long it took, so a later run reports the seed time it reuses.
 * Run directly (`node dist/bench/seed-database.js`) to seed ahead of the benchmark.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '@dicomtrail/migrations';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/bench → the SQL beside this file's source. */
const SEED_SQL = path.resolve(here, '../../bench/seed.sql');

export interface SeedResult {
  url: string;
  events: number;
  seconds: number;
  reused: boolean;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function ensureDatabase(baseUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabase(baseUrl, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

async function seededBefore(client: pg.Client): Promise<{ events: number; seconds: number } | undefined> {
  const { rows } = await client
    .query<{ events: string; seconds: number }>(
      `SELECT events, seconds FROM public.bench_seed WHERE to_regclass('public.bench_seed') IS NOT NULL`,
    )
    .catch(() => ({ rows: [] as { events: string; seconds: number }[] }));
  const r = rows[0];
  return r ? { events: Number(r.events), seconds: r.seconds } : undefined;
}

export async function ensureSeeded(baseUrl: string, name: string, events: number): Promise<SeedResult> {
  await ensureDatabase(baseUrl, name);
  const url = withDatabase(baseUrl, name);
  await migrate(url, { log: () => {} });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const before = await seededBefore(client);
    if (before && before.events === events) return { url, events, seconds: before.seconds, reused: true };
    if (before) throw new Error(`${name} holds ${before.events} seeded events, not ${events}: drop it first`);
    const sql = readFileSync(SEED_SQL, 'utf8').replaceAll(':events', String(events));
    const t0 = performance.now();
    await client.query(sql);
    const seconds = (performance.now() - t0) / 1000;
    await client.query(
      'CREATE TABLE public.bench_seed (events bigint NOT NULL, seconds float8 NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())',
    );
    await client.query('INSERT INTO public.bench_seed (events, seconds) VALUES ($1, $2)', [events, seconds]);
    return { url, events, seconds, reused: false };
  } finally {
    await client.end();
  }
}

export const BENCH_DATABASE = process.env['BENCH_DATABASE'] ?? 'dt_console_bench';
export const BENCH_EVENTS = Number(process.env['BENCH_EVENTS'] ?? '10000000');
export const BASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/dicomtrail';

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await ensureSeeded(BASE_URL, BENCH_DATABASE, BENCH_EVENTS);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
