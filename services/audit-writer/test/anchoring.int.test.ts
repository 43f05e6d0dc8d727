/**
 * Anchoring against real Postgres (rows written by the writer's own batch path), a real Ed25519 key and a
 * real RFC 3161 TSA (openssl ts behind HTTP): the anchoring process signs and timestamps the chain heads
 * through the dicomtrail_anchor role, and `dicomtrail-audit verify --anchors` (the CLI an auditor runs) catches what the
 * plain hash walk cannot: a superuser's rewrite of a chain and its head, a cut tail, a month dropped by hand;
 * an edited or removed anchor file, a swapped timestamp token; and reports an interval without an anchor.
 * Retention keeps working: a month the retention job dropped stays verifiable.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { migrate } from '@dicomtrail/migrations';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';
import pg from 'pg';
import { readAnchorFiles } from '../src/anchoring/anchor-directory.js';
import { generateAnchorKey, loadAnchorSigningKey } from '../src/anchoring/anchor-key.js';
import type { Anchor } from '../src/anchoring/anchor-record.js';
import { ANCHOR_TABLES, Anchorer } from '../src/anchoring/anchorer.js';
import { certificatesOfPem } from '../src/anchoring/timestamp-token.js';
import { createRolePool } from '../src/db.js';
import { runRetention } from '../src/retention.js';
import { verifyTrail } from '../src/verify.js';
import { contentsOf, writeDirect } from './support/direct-write.js';
import { testLog } from './support/harness.js';
import { type LocalTsa, makeCa, startLocalTsa } from './support/local-tsa.js';
import { dropMonthByHand, rewriteFrom, truncateTail } from './support/superuser.js';
import { associationRecords } from './support/synthetic.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.js');
const OLD = 't/0/events_2020_01';
let tmp: string;
let keyPath: string;
let tsa: LocalTsa;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'dt-anchoring-'));
  keyPath = path.join(tmp, 'keys', 'anchor-key.pem');
  generateAnchorKey(keyPath);
  tsa = await startLocalTsa();
});
after(async () => {
  await tsa?.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Scenario {
  db: TestDatabase;
  pool: pg.Pool;
  dir: string;
  current: string;
  anchorer: Anchorer;
  close(): Promise<void>;
}

/** A database with a January 2020 association and a current one, and an anchorer over it (dicomtrail_anchor). */
async function scenario(label: string, opts: { tsa?: boolean; now?: () => Date } = {}): Promise<Scenario> {
  const db = await createTestDatabase(`anchor_${label}`);
  await migrate(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  let t = Date.UTC(2020, 0, 15) * 1000;
  const old = associationRecords('PID-OLD', () => (t += 10));
  await writeDirect(pool, contentsOf(old, 0), 0);
  await writeDirect(pool, contentsOf(associationRecords('PID-NEW'), old.length), old.length);
  const { rows } = await pool.query<{ chain_id: string }>(
    `SELECT chain_id FROM audit.chain_heads WHERE chain_id <> $1`,
    [OLD],
  );
  const reader = await createRolePool(db.url, 'dicomtrail_anchor', testLog, 1, ANCHOR_TABLES);
  const dir = path.join(tmp, `anchors-${label}`);
  const anchorer = Anchorer.open({
    pool: reader,
    dir,
    key: loadAnchorSigningKey(keyPath),
    intervalMs: 60_000,
    log: testLog,
    ...(opts.tsa === false
      ? {}
      : {
          tsa: {
            url: tsa.url,
            timeoutMs: 30_000,
            trusted: certificatesOfPem(readFileSync(tsa.caFile, 'utf8')),
          },
        }),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return {
    db,
    pool,
    dir,
    current: rows[0]!.chain_id,
    anchorer,
    async close() {
      await reader.end();
      await pool.end();
      await db.drop();
    },
  };
}

async function verifyCli(s: Scenario, extra: string[] = [], env: Record<string, string> = {}) {
  const args = [
    CLI,
    'verify',
    '--anchors',
    s.dir,
    '--public-key',
    `${keyPath}.pub`,
    '--tsa-ca',
    tsa.caFile,
    ...extra,
  ];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, {
      env: {
        ...process.env,
        DATABASE_URL: s.db.url,
        LOG_LEVEL: 'silent',
        AUDIT_RETENTION_DAYS: '365',
        ...env,
      },
    });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout + e.stderr };
  }
}

async function moreRows(s: Scenario, offset: number): Promise<void> {
  await writeDirect(s.pool, contentsOf(associationRecords('PID-LATER'), offset), offset);
}

test('an untouched trail verifies against its signed, timestamped anchors; rows written since are listed', async () => {
  const s = await scenario('clean');
  try {
    const before = tsa.answered();
    const first = await s.anchorer.anchorOnce();
    assert.equal(first.anchor.full, true);
    assert.deepEqual(
      first.anchor.heads.map((h) => [h.chain_id, h.position]).sort(),
      [
        [OLD, 38],
        [s.current, 38],
      ].sort(),
    );
    await moreRows(s, 76);
    const second = await s.anchorer.anchorOnce();
    assert.equal(second.anchor.full, false);
    assert.deepEqual(
      second.anchor.heads.map((h) => [h.chain_id, h.position]),
      [[s.current, 76]],
    );
    assert.equal(second.anchor.prev?.length, 64);
    assert.equal(tsa.answered() - before, 2, 'both anchors timestamped by the TSA');
    assert.ok(first.anchor.timestamp_token && second.anchor.timestamp_token);
    await moreRows(s, 114);

    const r = await verifyCli(s);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^OK: 2 chains, 152 rows verified/);
    // the anchoring process's role reads heads and retention runs, never the events
    const c = await s.pool.connect();
    try {
      await c.query('SET ROLE dicomtrail_anchor');
      await assert.rejects(
        c.query('SELECT 1 FROM audit.events LIMIT 1'),
        /permission denied for table events/,
      );
    } finally {
      await c.query('RESET ROLE');
      c.release();
    }
    assert.match(r.stdout, /anchors: 2 \(2 timestamped\)/);
    assert.match(r.stdout, new RegExp(`not anchored yet: chain ${s.current} positions 77\\.\\.114`));
    assert.doesNotMatch(r.stdout, /GAP/);
  } finally {
    await s.close();
  }
});

test('a superuser who edits a row and recomputes every later hash and the head is caught', async () => {
  const s = await scenario('rewrite');
  try {
    await s.anchorer.anchorOnce();
    await rewriteFrom(s.pool, s.current, 10);
    assert.equal((await verifyTrail(s.pool)).ok, true, 'the plain hash walk cannot see it');
    const r = await verifyCli(s);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      new RegExp(
        `^FAILED: broken link in chain ${s.current} at position 38 \\(event [0-9a-f-]{36}\\): anchor_mismatch`,
      ),
    );
    assert.match(r.stdout, /signed by anchor #1 \(000000\/0000000001-\d{8}T\d{6}Z\.json\)/);
    assert.match(r.stdout, /rewritten after position 0/);
  } finally {
    await s.close();
  }
});

test('a truncated tail (rows deleted, head set back) is caught', async () => {
  const s = await scenario('truncate');
  try {
    await s.anchorer.anchorOnce();
    await truncateTail(s.pool, s.current, 30);
    assert.equal((await verifyTrail(s.pool)).ok, true, 'the plain hash walk cannot see it');
    const r = await verifyCli(s);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      new RegExp(`^FAILED: broken link in chain ${s.current} at position 31: anchored_rows_missing`),
    );
    assert.match(r.stdout, /expected: rows up to position 38, signed by anchor #1/);
    assert.match(r.stdout, /found: {4}the chain ends at position 30/);
  } finally {
    await s.close();
  }
});

test('a month dropped outside the retention job is caught', async () => {
  const s = await scenario('dropped');
  try {
    await s.anchorer.anchorOnce();
    await dropMonthByHand(s.pool, 'events_2020_01');
    assert.equal((await verifyTrail(s.pool)).ok, true, 'the plain hash walk cannot see it');
    const r = await verifyCli(s);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^FAILED: chain t\/0\/events_2020_01, signed up to position 38 by anchor #1 .*, is gone from the database: no retention record names its month \(dropped outside the retention job\)/,
    );
    // the anchoring process records the absence too, and verify names that anchor
    await s.anchorer.anchorOnce();
    const again = await verifyCli(s);
    assert.match(again.stdout, /its absence recorded by anchor #2 .*: no retention record names its month/);
  } finally {
    await s.close();
  }
});

test('retention keeps working: a month the retention job dropped stays verifiable, a lax policy is named', async () => {
  const s = await scenario('retention');
  try {
    await s.anchorer.anchorOnce();
    // A site whose own floor is one year (AUDIT_RETENTION_MIN_DAYS=365); the month is older than the database's.
    const ret = await runRetention(s.pool, { retentionDays: 365, minDays: 365 });
    assert.deepEqual(
      ret.dropped.map((d) => d.name),
      ['events_2020_01'],
    );
    const r = await verifyCli(s);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /1 anchored chains retired by retention/);

    const { anchor } = await s.anchorer.anchorOnce();
    assert.deepEqual(
      anchor.retired.map((c) => [c.chain_id, c.position, c.retention?.event_id]),
      [[OLD, 38, ret.event_id]],
    );
    const afterRecord = await verifyCli(s);
    assert.equal(afterRecord.code, 0, afterRecord.stdout);

    // a late event of the dropped month: the writer starts that month's chain again, and it is anchored afresh
    let late = Date.UTC(2020, 0, 20) * 1000;
    await writeDirect(
      s.pool,
      contentsOf(
        associationRecords('PID-LATE', () => (late += 10)),
        76,
      ),
      76,
    );
    const reborn = await s.anchorer.anchorOnce();
    assert.deepEqual(
      reborn.anchor.heads.map((h) => [h.chain_id, h.position]),
      [[OLD, 38]],
    );
    const again = await verifyCli(s);
    assert.equal(again.code, 0, again.stdout);
    assert.match(again.stdout, /1 anchored chains retired by retention/);

    // the same drop judged by a policy of seven years: the run kept only 365 days
    const strict = await verifyCli(s, [], { AUDIT_RETENTION_DAYS: '2557' });
    assert.equal(strict.code, 1);
    assert.match(
      strict.stdout,
      new RegExp(
        `gone from the database; its absence recorded by anchor #2 .*: the retention record ${ret.event_id} keeps 365 days; the policy is at least 2557`,
      ),
    );
  } finally {
    await s.close();
  }
});

test('an edited anchor file, a removed one and a swapped timestamp token are caught; a foreign TSA CA is refused', async () => {
  const s = await scenario('files');
  try {
    await s.anchorer.anchorOnce();
    await moreRows(s, 76);
    await s.anchorer.anchorOnce();
    await moreRows(s, 114);
    await s.anchorer.anchorOnce();
    const files = readAnchorFiles(s.dir);
    assert.equal(files.length, 3);
    const [f1, f2] = files.map((f) => path.join(s.dir, f.name)) as [string, string, string];
    const original2 = readFileSync(f2, 'utf8');
    const a2 = JSON.parse(original2) as Anchor;

    // 1. a head hash edited in anchor #2
    const edited = { ...a2, heads: a2.heads.map((h) => ({ ...h, hash: '0'.repeat(64) })) };
    writeFileSync(f2, JSON.stringify(edited));
    let r = await verifyCli(s);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^FAILED: anchor file 000000\/0000000002-\d{8}T\d{6}Z\.json: the signature does not verify/,
    );

    // 2. anchor #2 removed
    unlinkSync(f2);
    r = await verifyCli(s);
    assert.match(
      r.stdout,
      /^FAILED: anchor file 000000\/0000000003-.*: seq 3 follows anchor #1 .*: anchor #2 is missing/,
    );

    // 3. anchor #2 back, with anchor #1's timestamp token
    const a1 = JSON.parse(readFileSync(f1, 'utf8')) as Anchor;
    writeFileSync(f2, JSON.stringify({ ...a2, timestamp_token: a1.timestamp_token }));
    r = await verifyCli(s);
    assert.match(
      r.stdout,
      /^FAILED: anchor file 000000\/0000000002-.*: timestamp token: the token imprint does not match the anchor signature/,
    );

    // 4. intact again, but checked against a CA that did not issue the TSA's certificate
    writeFileSync(f2, original2);
    assert.equal((await verifyCli(s)).code, 0);
    const otherCa = await makeCa(tmp, 'other-ca');
    r = await verifyCli(s, ['--tsa-ca', otherCa]);
    assert.match(
      r.stdout,
      /^FAILED: anchor file 000000\/0000000001-.*: timestamp token: the TSA certificate \(CN=dicomtrail test TSA\) is not issued by a trusted CA/,
    );
  } finally {
    await s.close();
  }
});

test('an interval with no anchor is reported (the verdict stays OK)', async () => {
  let now = Date.now() - 10 * 60_000;
  const s = await scenario('gap', { tsa: false, now: () => new Date(now) });
  try {
    await s.anchorer.anchorOnce();
    now += 60_000;
    const before = await s.anchorer.anchorOnce();
    now += 5 * 60_000; // the anchoring process was not running for five intervals
    await s.anchorer.anchorOnce();
    const r = await verifyCli(s);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /anchors: 3 \(0 timestamped\)/);
    const gap = /GAP: no anchor from (\S+) to (\S+) \((\d+) s; interval 60 s\)/.exec(r.stdout);
    assert.ok(gap, r.stdout);
    assert.equal(gap[3], '300');
    assert.equal(gap[1], before.anchor.created_at);
    assert.equal(r.stdout.match(/GAP/g)?.length, 1);
  } finally {
    await s.close();
  }
});

test('an anchor left unstamped by a TSA outage is written signed only; a token dated far from its anchor is caught', async () => {
  const s = await scenario('outage');
  try {
    await s.anchorer.anchorOnce();
    tsa.setAvailable(false);
    const unstamped = await s.anchorer.anchorOnce();
    tsa.setAvailable(true);
    assert.equal(unstamped.anchor.timestamp_token, undefined, 'written signed only while the TSA is down');
    await s.anchorer.anchorOnce();
    const r = await verifyCli(s);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /anchors: 3 \(2 timestamped\)/);

    // an anchor signed now but claiming to be an hour old (what a stolen key re-signing history produces)
    const late = Anchorer.open({
      pool: s.pool,
      dir: s.dir,
      key: loadAnchorSigningKey(keyPath),
      intervalMs: 60_000,
      log: testLog,
      tsa: { url: tsa.url, timeoutMs: 30_000 },
      now: () => new Date(Date.now() - 3_600_000),
    });
    await late.anchorOnce();
    const caught = await verifyCli(s);
    assert.equal(caught.code, 1);
    assert.match(
      caught.stdout,
      /^FAILED: anchor file 000000\/0000000004-.*: timestamped \S+, 3[56]\d\d s from its created_at \S+: signed at another time than it claims/,
    );
  } finally {
    await s.close();
  }
});

test('keys: keygen writes 0600 and never overwrites; the anchoring process refuses a key others can read', async () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    });
  const key = path.join(tmp, 'cli-keys', 'k.pem');
  const { stdout } = await run(['anchor-keygen', '--out', key]);
  assert.match(stdout, /key id sha256:[0-9a-f]{64}/);
  assert.equal(statSync(key).mode & 0o777, 0o600);
  assert.equal(statSync(path.dirname(key)).mode & 0o777, 0o700);
  await assert.rejects(run(['anchor-keygen', '--out', key]), /exists already; not overwritten/);

  chmodSync(key, 0o640);
  await assert.rejects(
    run(['anchor'], { AUDIT_ANCHOR_KEY: key, AUDIT_ANCHOR_DIR: path.join(tmp, 'never') }),
    (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.ok(
        err.stderr.includes(`anchor key file ${key} has mode 0640: it must be readable by its owner only`),
        err.stderr,
      );
      return true;
    },
  );
});

test('a restarted anchoring process continues the chain; a second one on the directory resyncs; a foreign key is refused', async () => {
  const s = await scenario('restart', { tsa: false });
  try {
    await s.anchorer.anchorOnce();
    const reader = await createRolePool(s.db.url, 'dicomtrail_anchor', testLog, 1, ANCHOR_TABLES);
    try {
      const options = {
        pool: reader,
        dir: s.dir,
        key: loadAnchorSigningKey(keyPath),
        intervalMs: 60_000,
        log: testLog,
      };
      const restarted = Anchorer.open(options);
      const second = Anchorer.open(options);
      const next = await restarted.anchorOnce();
      assert.equal(next.anchor.seq, 2);
      assert.equal(next.anchor.full, true, 'a new run lists every chain');
      await assert.rejects(second.anchorOnce(), /cannot write anchor .*0000000002-/);
      await moreRows(s, 76);
      const resynced = await second.anchorOnce();
      assert.equal(resynced.anchor.seq, 3);
      const r = await verifyCli(s);
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /anchors: 3 \(0 timestamped\)/);

      const foreign = path.join(tmp, 'foreign', 'key.pem');
      generateAnchorKey(foreign);
      assert.throws(
        () => Anchorer.open({ ...options, key: loadAnchorSigningKey(foreign) }),
        /the last anchor in .* \(000000\/0000000003-.*\) was not signed by this key/,
      );
    } finally {
      await reader.end();
    }
  } finally {
    await s.close();
  }
});
