#!/usr/bin/env node
import {
  checkDatabaseUrl,
  configOrExit,
  createLogger,
  describeDatabaseError,
  loadConfigOrExit,
  redactDatabaseUrl,
} from '@dicomtrail/runtime';
import { migrate } from './migrate.js';

const log = createLogger('migrate');
const config = loadConfigOrExit(
  {
    DATABASE_URL: {
      type: 'string',
      default: 'postgres://postgres@127.0.0.1:5432/dicomtrail',
      description:
        'Postgres connection string of the audit database (TLS: sslmode=verify-full&sslrootcert=..., sslcert/sslkey)',
    },
  },
  log,
);
configOrExit(() => checkDatabaseUrl(config.DATABASE_URL), log);
log.info({ database: redactDatabaseUrl(config.DATABASE_URL) }, 'migrating');
try {
  const r = await migrate(config.DATABASE_URL, { log: (m) => log.info(m) });
  log.info({ applied: r.applied.length, already: r.skipped.length }, 'migrations up to date');
  log.flush();
} catch (err) {
  log.error({ err, cause: describeDatabaseError(err) }, 'migration failed');
  log.flush();
  process.exitCode = 1;
}
