import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { migrate } from '@dicomtrail/migrations';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';

const bin = fileURLToPath(new URL('../src/dicomtrail.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('cli');
  await migrate(db.url);
});
after(async () => {
  await db?.drop();
});

test('dicomtrail: usage, unknown command', () => {
  const help = run(['help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: dicomtrail <command>/);
  assert.match(help.stdout, /audit run \| verify/);
  assert.equal(run(['nope']).code, 2);
});

test('npx dicomtrail: the bin is linked after the build (scripts/lib.sh build_all)', () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const r = spawnSync('npx', ['--no-install', 'dicomtrail', 'help'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /usage: dicomtrail <command>/);
});

test('dicomtrail adapter --help: the adapter CLI with its own usage', () => {
  const r = run(['adapter', '--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /usage: dicomtrail adapter/);
});

test('dicomtrail audit verify: the audit CLI against the configured database', () => {
  const r = run(['audit', 'verify'], { DATABASE_URL: db.url });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^OK: 0 chains, 0 rows verified/);
  const bad = run(['audit', 'frobnicate'], { DATABASE_URL: db.url });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /usage: dicomtrail-audit/);
});
