import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';
import pg from 'pg';
import { loadMigrations, migrate } from '../src/migrate.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('migrate');
});
after(async () => {
  await db?.drop();
});

test('applies every migration to an empty database, and a second run is a no-op', async () => {
  const all = await loadMigrations();
  assert.ok(all.length >= 1);
  const first = await migrate(db.url);
  assert.deepEqual(
    first.applied,
    all.map((m) => m.id),
  );
  assert.deepEqual(first.skipped, []);

  const second = await migrate(db.url);
  assert.deepEqual(second.applied, []);
  assert.deepEqual(
    second.skipped,
    all.map((m) => m.id),
  );

  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const s = await c.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = 'audit'");
    assert.equal(s.rowCount, 1, 'schema audit exists');
    const m = await c.query('SELECT id, checksum FROM public.dicomtrail_migrations ORDER BY id');
    assert.deepEqual(
      m.rows,
      all.map((x) => ({ id: x.id, checksum: x.checksum })),
    );
  } finally {
    await c.end();
  }
});

test('a migration changed after it was applied is refused', async () => {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await migrate(db.url);
    await c.query(
      "UPDATE public.dicomtrail_migrations SET checksum = 'tampered' WHERE id = '0001_create_audit_schema'",
    );
    await assert.rejects(
      migrate(db.url),
      (err: { code?: string }) => err.code === 'DT_ERR_MIGRATION_CHANGED',
    );
  } finally {
    await c.end();
  }
});
