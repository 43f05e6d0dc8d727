/**
 * `dicomtrail console add-user` (password from stdin) and `dicomtrail console` (the server, as npm start runs it),
 * through the real `dicomtrail` command, against Postgres and Kafka.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { migrate } from '@dicomtrail/migrations';
import {
  createTestDatabase,
  freePort,
  kafkaBrokers,
  type TestDatabase,
  uniqueTopic,
} from '@dicomtrail/testing';
import pg from 'pg';
import { authenticate } from '../src/accounts.js';

const DICOMTRAIL = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../cli/dist/src/dicomtrail.js',
);
let db: TestDatabase;
let env: NodeJS.ProcessEnv;

before(async () => {
  db = await createTestDatabase('console-cli');
  await migrate(db.url, { log: () => {} });
  env = {
    ...process.env,
    CONSOLE_DATABASE_URL: db.url,
    KAFKA_BROKERS: (await kafkaBrokers()).join(','),
    EVENTS_TOPIC: uniqueTopic('console-cli'),
    EVENTS_TOPIC_PARTITIONS: '1',
    LOG_LEVEL: 'warn',
  };
});

after(async () => {
  await db?.drop();
});

const addUser = (args: string[], input: string) =>
  spawnSync(process.execPath, [DICOMTRAIL, 'console', 'add-user', ...args], { env, input, encoding: 'utf8' });

test('add-user reads the password from stdin and stores a scrypt hash that authenticates', async () => {
  const r = addUser(['privacy.officer', '--role', 'auditor'], 'a-long-enough-password\n');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /created console user privacy\.officer \(auditor\)/);
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    const { rows } = await pool.query<{ password_hash: string }>('SELECT password_hash FROM console.users');
    assert.match(rows[0]!.password_hash, /^scrypt\$/);
    assert.ok(!rows[0]!.password_hash.includes('a-long-enough-password'));
    assert.deepEqual(await authenticate(pool, 'privacy.officer', 'a-long-enough-password'), {
      username: 'privacy.officer',
      role: 'auditor',
    });
    assert.equal(await authenticate(pool, 'privacy.officer', 'a-long-enough-passwor'), undefined);
  } finally {
    await pool.end();
  }
});

test('add-user refuses a short password, an unknown role and a missing name, with a clear message', () => {
  const short = addUser(['bob', '--role', 'engineer'], 'short\n');
  assert.equal(short.status, 1);
  assert.match(short.stderr, /at least 12 characters/);
  assert.equal(addUser(['bob', '--role', 'admin'], 'a-long-enough-password\n').status, 2);
  assert.match(
    addUser(['--role', 'auditor'], 'a-long-enough-password\n').stderr,
    /usage: dicomtrail console/,
  );
});

test('dicomtrail console serves the login page and prints its URL; SIGTERM stops it', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [DICOMTRAIL, 'console'], {
    env: { ...env, CONSOLE_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const t0 = Date.now();
  while (!out.includes('dicomtrail console: http://')) {
    assert.ok(Date.now() - t0 < 20_000 && child.exitCode === null, `console did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(out, new RegExp(`dicomtrail console: http://127\\.0\\.0\\.1:${port}/`));
  const login = await fetch(`http://127.0.0.1:${port}/login`);
  assert.equal(login.status, 200);
  assert.match(login.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const root = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
  assert.equal(root.headers.get('location'), '/login');
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});
