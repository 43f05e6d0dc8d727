/**
 * Least privilege, against real Postgres: the writer logs in as its own role and cannot become a superuser
 * (RESET ROLE leaves it itself), cannot UPDATE/DELETE the trail or write chain heads except through
 * audit.advance_chain_heads, which refuses a head that does not extend the chain; the console role only
 * reads; retention below the floor is refused by the job and, for a young month, by the database itself.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrate } from '@dicomtrail/migrations';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';
import pg from 'pg';
import { createPool } from '../src/db.js';
import { LOGIN_ROLES, loginUrl } from '../src/login-roles.js';
import { runRetention } from '../src/retention.js';
import { verifyTrail } from '../src/verify.js';
import { contentsOf, writeDirect } from './support/direct-write.js';
import { testLog } from './support/harness.js';
import { associationRecords } from './support/synthetic.js';

let db: TestDatabase;
let owner: pg.Pool;
let writer: pg.Pool;
let consoleRole: pg.Pool;
let retention: pg.Pool;

before(async () => {
  db = await createTestDatabase('login_roles');
  await migrate(db.url);
  owner = new pg.Pool({ connectionString: db.url, max: 2 });
  writer = await createPool(loginUrl(db.url, LOGIN_ROLES.writer), testLog, 2);
  consoleRole = new pg.Pool({ connectionString: loginUrl(db.url, LOGIN_ROLES.console), max: 1 });
  retention = new pg.Pool({ connectionString: loginUrl(db.url, LOGIN_ROLES.retention), max: 1 });
  // Written through the writer's own login: one association, its chain head through the function.
  await writeDirect(writer, contentsOf(associationRecords('PID-ROLES')), 0);
});
after(async () => {
  await Promise.all([writer?.end(), consoleRole?.end(), retention?.end(), owner?.end()]);
  await db?.drop();
});

test('the writer logs in as itself, not a superuser, and RESET ROLE or SET ROLE cannot make it one', async () => {
  const c = await writer.connect();
  try {
    const who = async () =>
      (
        await c.query<{ u: string; s: string; sup: boolean }>(
          'SELECT current_user AS u, session_user AS s, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS sup',
        )
      ).rows[0];
    assert.deepEqual(await who(), { u: 'dicomtrail_audit_writer', s: 'dicomtrail_audit_writer', sup: false });
    await c.query('RESET ROLE');
    assert.deepEqual(await who(), { u: 'dicomtrail_audit_writer', s: 'dicomtrail_audit_writer', sup: false });
    await assert.rejects(c.query('SET ROLE postgres'), /permission denied/);
    await assert.rejects(c.query('SET SESSION AUTHORIZATION postgres'), /permission denied/);
  } finally {
    c.release();
  }
});

test('the writer cannot UPDATE or DELETE events, nor write chain heads directly', async () => {
  await assert.rejects(writer.query(`UPDATE audit.events SET patient_id = 'X'`), /permission denied/);
  await assert.rejects(writer.query('DELETE FROM audit.events'), /permission denied/);
  await assert.rejects(writer.query('TRUNCATE audit.events'), /permission denied/);
  await assert.rejects(
    writer.query('UPDATE audit.chain_heads SET position = position + 1'),
    /permission denied/,
  );
  await assert.rejects(writer.query('DELETE FROM audit.chain_heads'), /permission denied/);
  await assert.rejects(
    writer.query(
      `INSERT INTO audit.chain_heads (chain_id, partition, position, head_hash) VALUES ('x', 'p', 1, '\\x00')`,
    ),
    /permission denied/,
  );
  await assert.rejects(
    writer.query(`SELECT audit.drop_event_partition('events_2019_01')`),
    /permission denied/,
  );
  await assert.rejects(writer.query('UPDATE audit.retention_policy SET min_days = 1'), /permission denied/);
});

test('audit.advance_chain_heads moves a head only to a row of the trail that extends it', async () => {
  const [head] = (
    await writer.query<{ chain_id: string; partition: string; position: string; hash: string }>(
      `SELECT chain_id, partition, position::text, encode(head_hash, 'hex') AS hash FROM audit.chain_heads`,
    )
  ).rows;
  assert.ok(head);
  const advance = (position: number, hash: string) =>
    writer.query('SELECT audit.advance_chain_heads($1::json)', [
      JSON.stringify([
        { chain_id: head.chain_id, partition: head.partition, position, head_hash: `\\x${hash}` },
      ]),
    ]);
  const p = Number(head.position);
  await assert.rejects(advance(p, head.hash), /does not extend/, 'the same position');
  await assert.rejects(advance(p - 5, head.hash), /does not extend/, 'backwards (hiding the tail)');
  await assert.rejects(advance(p + 5, head.hash), /not a row of the trail/, 'a position with no row');
  const [mid] = (
    await owner.query<{ hash: string }>(
      `SELECT encode(row_hash, 'hex') AS hash FROM audit.events WHERE chain_id = $1 AND chain_position = 3`,
      [head.chain_id],
    )
  ).rows;
  await assert.rejects(
    writer.query('SELECT audit.advance_chain_heads($1::json)', [
      JSON.stringify([
        { chain_id: 'forged/0/x', partition: head.partition, position: 3, head_hash: `\\x${mid!.hash}` },
      ]),
    ]),
    /not a row of the trail/,
    'a chain made up from another chain’s row',
  );
  assert.equal((await verifyTrail(owner)).ok, true, 'nothing moved');
});

test('the console role reads the trail and the auditor views, writes nothing', async () => {
  for (const view of [
    'audit.events',
    'audit.associations',
    'audit.patient_access',
    'audit.open_seq_findings',
    'audit.dead_lettered_associations',
    'audit.proxied_associations',
  ])
    assert.ok((await consoleRole.query(`SELECT count(*) FROM ${view}`)).rows.length === 1, view);
  await assert.rejects(consoleRole.query(`UPDATE audit.associations SET outcome = 'x'`), /permission denied/);
  await assert.rejects(
    consoleRole.query(`INSERT INTO audit.seq_findings VALUES (gen_random_uuid(), 0, 1)`),
    /permission denied/,
  );
  const [me] = (
    await consoleRole.query<{ sup: boolean }>(
      'SELECT rolsuper AS sup FROM pg_roles WHERE rolname = current_user',
    )
  ).rows;
  assert.equal(me!.sup, false);
});

test('retention below the floor is refused by the job, and a young month by the database whatever the job asks', async () => {
  await assert.rejects(runRetention(retention, { retentionDays: 1, minDays: 2190 }), (err: Error) => {
    assert.match(err.message, /retention refused: 1 days is below the floor of 2190 days/);
    return true;
  });
  await assert.rejects(runRetention(retention, { retentionDays: 365 }), /below the floor of 2190 days/);
  // A job configured with a lower floor of its own still cannot drop a month the database's floor protects.
  const [current] = (
    await owner.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit.events'::regclass ORDER BY c.relname LIMIT 1`,
    )
  ).rows;
  await assert.rejects(
    retention.query('SELECT audit.drop_event_partition($1)', [current!.name]),
    /retention refused: .* less than the floor of 2190 days/,
  );
  await assert.rejects(
    retention.query('SELECT audit.drop_event_partition($1)', ['events; DROP TABLE x']),
    /not a partition/,
  );
  await assert.rejects(retention.query('DROP TABLE audit.events'), /must be owner/);
  const report = await runRetention(retention, { retentionDays: 2190 });
  assert.deepEqual(report.dropped, [], 'nothing old enough; the run is recorded');
  assert.equal((await verifyTrail(owner)).ok, true);
});

test('the writer refuses to start as a superuser', async () => {
  await assert.rejects(createPool(db.url, testLog, 1), /must not log in as a superuser/);
});
