/**
 * `dicomtrail audit-interchange backfill --from DATE`: the captured traffic goes through Kafka into the Postgres
 * trail by the real audit writer; then the CLI, as a site runs it, sends that period's audit messages from the
 * trail to a destination (NDJSON here): exactly the messages the live service makes of those events, with the
 * same stable ids. A period before the captured traffic sends nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LOGIN_ROLES, loginUrl, startAuditWriter } from '@dicomtrail/audit-writer';
import { migrate } from '@dicomtrail/migrations';
import { createLogger } from '@dicomtrail/runtime';
import { createTestDatabase, kafkaBrokers, type TestDatabase, uniqueTopic } from '@dicomtrail/testing';
import pg from 'pg';
import { captureMessages, loadCapture } from './support/captured-traffic.js';
import { asNewTraffic, createTopic, publish, waitFor } from './support/stack.js';

const CLI = fileURLToPath(new URL('../../../cli/dist/src/dicomtrail.js', import.meta.url));
let db: TestDatabase;
let dir: string;

before(async () => {
  db = await createTestDatabase('atna_backfill');
  await migrate(db.url);
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-atna-backfill-'));
});
after(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function backfill(out: string, args: string[]) {
  return spawnSync(process.execPath, [CLI, 'audit-interchange', 'backfill', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: db.url, AUDIT_FHIR_NDJSON_DIR: out },
    timeout: 60_000,
  });
}

test('backfill --from: the period read back from audit.events gives the same messages, same ids', async () => {
  const topic = uniqueTopic('atna-backfill');
  await createTopic(topic, 2);
  const run = asNewTraffic(loadCapture('audit-capture'));
  await publish(topic, run);
  const writer = await startAuditWriter({
    brokers: await kafkaBrokers(),
    databaseUrl: loginUrl(db.url, LOGIN_ROLES.writer),
    topic,
    groupId: `${topic}.writer`,
    maxWaitTimeMs: 50,
    log: createLogger('audit-writer-test', { level: 'silent' }),
  });
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    await waitFor(
      async () =>
        Number((await pool.query('SELECT count(*)::int AS n FROM audit.events')).rows[0].n) >= run.length ||
        undefined,
      60_000,
      'the captured traffic in the trail',
    );
  } finally {
    await pool.end();
    await writer.stop();
  }

  const first = run[0]!.timestamp.slice(0, 19);
  const out = path.join(dir, 'all');
  const r = backfill(out, ['--from', `${first}Z`]);
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
  const expected = captureMessages(run);
  assert.equal(result.messages, expected.length);
  assert.equal(result.nodeEvents, 2);
  const ids = readdirSync(out).flatMap((f) =>
    readFileSync(path.join(out, f), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id),
  );
  assert.deepEqual(
    ids.sort(),
    expected.map((m) => m.id).sort(),
    'the live service and the back-fill agree, id by id',
  );

  const none = backfill(path.join(dir, 'none'), ['--from', '2000-01-01', '--to', '2000-02-01']);
  assert.equal(none.status, 0, none.stderr);
  assert.equal(JSON.parse(none.stdout.trim().split('\n').pop() ?? '{}').messages, 0);

  const bad = backfill(path.join(dir, 'bad'), ['--from', 'yesterday-ish']);
  assert.equal(bad.status, 2);
  assert.match(bad.stdout + bad.stderr, /--from must be an ISO 8601 date or time/);
});
