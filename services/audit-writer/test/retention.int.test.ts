/**
 * Retention: months older than the configured age are dropped whole, their chains anchored, their projection
 * rows removed, and the run recorded as an EVT_RETENTION event in the trail; what remains still verifies,
 * through the CLI as an operator runs it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { migrate } from '@dicomtrail/migrations';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';
import pg from 'pg';
import { contentsOf, writeDirect } from './support/direct-write.js';
import { associationRecords } from './support/synthetic.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.js');
let db: TestDatabase;
let pool: pg.Pool;

before(async () => {
  db = await createTestDatabase('retention');
  await migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
after(async () => {
  await pool?.end();
  await db?.drop();
});

async function write(records: ReturnType<typeof associationRecords>, firstOffset: number): Promise<void> {
  await writeDirect(pool, contentsOf(records, firstOffset), firstOffset);
}

const cli = (args: string[], env: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, [CLI, ...args], {
    env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...env },
  });

test('dropping a month: partition gone, chains anchored, projections pruned, EVT_RETENTION recorded, verify OK', async () => {
  let t = Date.UTC(2019, 0, 15) * 1000;
  const old = associationRecords('PID-OLD', () => (t += 10));
  await write(old, 0);
  await write(associationRecords('PID-NEW'), old.length);

  const { stdout } = await cli(['retention'], { AUDIT_RETENTION_DAYS: '2190' });
  assert.match(stdout, /dropped events_2019_01 \(38 rows\)/);

  const q = async (sql: string) => (await pool.query(sql)).rows;
  assert.deepEqual(await q(`SELECT to_regclass('audit.events_2019_01') AS t`), [{ t: null }]);
  assert.deepEqual(await q('SELECT chain_id, position::int FROM audit.chain_anchors'), [
    { chain_id: 't/0/events_2019_01', position: 38 },
  ]);
  assert.deepEqual(await q(`SELECT count(*)::int AS n FROM audit.events WHERE patient_id = 'PID-OLD'`), [
    { n: 0 },
  ]);
  assert.deepEqual(await q(`SELECT count(*)::int AS n FROM audit.operations WHERE patient_id = 'PID-OLD'`), [
    { n: 0 },
  ]);
  assert.deepEqual(await q('SELECT count(*)::int AS n FROM audit.associations'), [{ n: 1 }]);
  const [ret] = await q(`SELECT node_mode, params FROM audit.events WHERE type = 'EVT_RETENTION'`);
  assert.equal(ret.node_mode, 'retention');
  assert.equal(ret.params.retention_days, 2190);
  assert.deepEqual(
    ret.params.partitions.map((p: { name: string; rows: number }) => [p.name, p.rows]),
    [['events_2019_01', 38]],
  );

  const verified = await cli(['verify']);
  assert.match(verified.stdout, /^OK: 2 chains, 39 rows verified; 1 chains anchored by retention/);
});

test('verify exits 1 and names the broken link when a row was changed', async () => {
  const c = await pool.connect();
  try {
    await c.query('SET session_replication_role = replica');
    await c.query(`UPDATE audit.events SET calling_ae_title = 'FORGED' WHERE seq = 3 AND patient_id IS NULL`);
  } finally {
    await c.query('RESET session_replication_role');
    c.release();
  }
  await assert.rejects(cli(['verify']), (err: { code: number; stdout: string }) => {
    assert.equal(err.code, 1);
    assert.match(
      err.stdout,
      /^FAILED: broken link in chain t\/0\/events_\d{4}_\d{2} at position 4 \(event [0-9a-f-]{36}\): row_hash/,
    );
    assert.match(err.stdout, /expected: [0-9a-f]{64}\n {2}found: {4}[0-9a-f]{64}/);
    return true;
  });
});
