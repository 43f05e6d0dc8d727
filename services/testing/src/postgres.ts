import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dockerAvailable, InfraUnavailableError, START_HINT } from './env.js';

let containerUrl: Promise<string> | undefined;

/** The server integration tests use: DATABASE_URL, else a testcontainers Postgres, else an error. */
export async function databaseUrl(): Promise<string> {
  const env = process.env['DATABASE_URL'];
  if (env) return env;
  if (await dockerAvailable()) {
    containerUrl ??= (async () => {
      const { GenericContainer, Wait } = await import('testcontainers');
      const c = await new GenericContainer('postgres:15')
        .withExposedPorts(5432)
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'dicomtrail' })
        .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
        .start();
      return `postgres://postgres@127.0.0.1:${c.getMappedPort(5432)}/dicomtrail`;
    })();
    return containerUrl;
  }
  throw new InfraUnavailableError('DT_ERR_NO_POSTGRES', `no Postgres for integration tests: ${START_HINT}`);
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, empty database for one test file (Emmett's "one database per test file"). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const base = await databaseUrl();
  const name = `dt_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(base, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(base, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: withDatabase(base, 'postgres') });
      await c.connect();
      try {
        // pool.end() resolves before the server has closed its connections; forcing them closed would make a
        // closing client raise "terminating connection" into whichever test runs next. Give them 5 s.
        for (let i = 0; i < 50; i++) {
          const open = await c.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1', [name]);
          if (open.rowCount === 0) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
