#!/usr/bin/env node
import { createLogger, loadConfig } from '@dicomtrail/runtime';
import { migrate } from './migrate.js';

const config = loadConfig({
  DATABASE_URL: {
    type: 'string',
    default: 'postgres://postgres@127.0.0.1:5432/dicomtrail',
    description: 'Postgres connection string of the audit database',
  },
});
const log = createLogger('migrate');
try {
  const r = await migrate(config.DATABASE_URL, { log: (m) => log.info(m) });
  log.info({ applied: r.applied.length, already: r.skipped.length }, 'migrations up to date');
  log.flush();
} catch (err) {
  log.error({ err }, 'migration failed');
  log.flush();
  process.exitCode = 1;
}
