/**
 * Runs every query of docs/audit-queries.md against the trail of the test traffic (traffic.ts) and checks
 * what each returns. A query added to the document without an expectation here fails the test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { runRetention } from '../../src/retention.js';
import { TRAFFIC } from './traffic.js';

const DOC = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../docs/audit-queries.md',
);

export interface AuditQuery {
  n: number;
  title: string;
  sql: string;
}

export function auditQueries(markdown = readFileSync(DOC, 'utf8')): AuditQuery[] {
  const out: AuditQuery[] = [];
  const re = /^## (\d+)\. (.+)$[\s\S]*?```sql\n([\s\S]*?)```/gm;
  for (const m of markdown.matchAll(re)) out.push({ n: Number(m[1]), title: m[2]!, sql: m[3]! });
  return out;
}

type Row = Record<string, unknown>;
interface Expectation {
  params: (ctx: Ctx) => unknown[];
  check: (rows: Row[], ctx: Ctx) => void;
}
interface Ctx {
  from: Date;
  to: Date;
  storeAssociation: string;
}

const sorted = (xs: unknown[]) => [...xs].map(String).sort();

const EXPECT: Record<number, Expectation> = {
  1: {
    params: (c) => [TRAFFIC.patientId, c.from, c.to],
    check: (rows) => {
      assert.deepEqual(sorted(rows.map((r) => `${r['service']} ${r['calling_ae_title']}`)), [
        'C-FIND VIEWER',
        'C-MOVE VIEWER',
        'C-STORE MODALITY1',
        'C-STORE MODALITY1',
        'C-STORE MODALITY1',
      ]);
      const stores = rows.filter((r) => r['service'] === 'C-STORE');
      assert.ok(stores.every((r) => r['user_identity'] === 'tech01' && r['remote_address'] === '127.0.0.1'));
    },
  },
  2: {
    params: () => ['DICOMTRAIL'],
    check: (rows) => {
      assert.equal(rows.length, 1);
      assert.deepEqual(
        [
          rows[0]!['study_instance_uid'],
          rows[0]!['patient_id'],
          Number(rows[0]!['instances']),
          rows[0]!['sent_by'],
        ],
        [TRAFFIC.studyUid, TRAFFIC.patientId, 3, ['MODALITY1']],
      );
    },
  },
  3: {
    params: () => [],
    check: (rows) => {
      assert.deepEqual(
        rows.map((r) => [
          r['calling_ae_title'],
          r['called_ae_title'],
          r['cause_reason'],
          r['cause_reason_name'],
        ]),
        [['ECHOSCU', 'WRONG', 7, 'called-ae-title-not-recognized']],
      );
    },
  },
  4: {
    params: () => [],
    check: (rows) => {
      assert.deepEqual(
        rows.map((r) => [r['service'], r['status_hex'], Number(r['operations']), r['calling_aes']]),
        [['C-MOVE', 'a801', 1, ['VIEWER']]],
      );
    },
  },
  5: {
    params: () => [],
    check: (rows) => {
      assert.deepEqual(
        rows.map((r) => [
          r['user_identity_type'],
          r['user_identity'],
          r['calling_ae_title'],
          Number(r['associations']),
        ]),
        [['username', 'tech01', 'MODALITY1', 1]],
      );
    },
  },
  6: {
    params: (c) => [c.from],
    check: (rows) => {
      assert.equal(rows[0]!['ae_title'], 'MODALITY1');
      assert.equal(Number(rows[0]!['operations']), 3);
      assert.equal(Number(rows[0]!['instances_stored']), 3);
      assert.deepEqual(sorted(rows.map((r) => r['ae_title'])), [
        'ABORTER',
        'COMMITSCU',
        'ECHOSCU',
        'MODALITY1',
        'VIEWER',
      ]);
    },
  },
  7: {
    params: (c) => [c.from, c.to],
    check: (rows) => {
      assert.deepEqual(sorted(rows.map((r) => r['sop_instance_uid'])), sorted(TRAFFIC.instances));
      for (const r of rows) {
        const stored = r['stored_at'] as Date;
        const requested = r['requested_at'] as Date;
        const committed = r['committed_at'] as Date;
        assert.ok(stored <= requested && requested <= committed, 'stored, then requested, then committed');
        assert.ok(r['store_to_commit'] !== null);
      }
    },
  },
  8: {
    params: (c) => [c.storeAssociation],
    check: (rows) => {
      assert.deepEqual(
        rows.map((r) => Number(r['seq'])),
        rows.map((_, i) => i),
      );
      assert.equal(rows[0]!['type'], 'EVT_CONN_OPEN');
      assert.equal(rows.filter((r) => r['type'] === 'EVT_C_STORE').length, 3);
      assert.ok(rows.some((r) => r['detail'] === 'C-STORE-RQ'));
      assert.equal(rows.find((r) => r['type'] === 'EVT_RELEASED')?.['type'], 'EVT_RELEASED');
    },
  },
  9: {
    params: () => ['VIEWER'],
    check: (rows) => {
      assert.equal(rows.length, 1);
      assert.deepEqual(
        [rows[0]!['as_role'], Number(rows[0]!['associations']), Number(rows[0]!['operations'])],
        ['calling', 2, 2],
      );
      assert.equal(Number(rows[0]!['failed_operations']), 1);
    },
  },
  10: {
    params: () => [],
    check: (rows) => {
      assert.deepEqual(
        rows.map((r) => [r['calling_ae_title'], r['cause_initiator']]),
        [['ABORTER', 'remote']],
      );
    },
  },
  11: {
    params: () => [TRAFFIC.studyUid],
    check: (rows) => {
      assert.deepEqual(sorted(rows.map((r) => r['service'])), ['C-MOVE', 'C-STORE', 'C-STORE', 'C-STORE']);
      assert.equal(rows.find((r) => r['service'] === 'C-MOVE')?.['move_destination'], 'NOWHERE');
    },
  },
  12: {
    params: (c) => [c.from],
    check: (rows) => {
      const store = rows.find((r) => r['service'] === 'C-STORE');
      assert.equal(Number(store?.['operations']), 3);
      assert.ok(Number(store?.['p50_ms']) >= 0 && Number(store?.['p95_ms']) >= Number(store?.['p50_ms']));
      assert.ok(rows.some((r) => r['service'] === 'C-ECHO'));
    },
  },
  13: { params: () => [], check: (rows) => assert.deepEqual(rows, []) },
  14: {
    params: () => [],
    check: (rows) => {
      assert.deepEqual(
        rows.map((r) => [r['remote_address'], Number(r['associations']), Number(r['rejected'])]),
        [['127.0.0.1', TRAFFIC.associations, 1]],
      );
      assert.deepEqual(rows[0]!['calling_aes'], ['ABORTER', 'COMMITSCU', 'ECHOSCU', 'MODALITY1', 'VIEWER']);
    },
  },
  15: {
    params: () => [],
    check: (rows) => {
      assert.equal(rows.length, 1, 'one retention run, nothing old enough to drop');
      assert.equal(rows[0]!['retention_days'], 3650);
      assert.equal(rows[0]!['partition'], null);
    },
  },
  16: {
    params: (c) => [c.storeAssociation],
    check: (rows) => {
      assert.ok(rows.length >= 2, 'the negotiation on several lifecycle events');
      assert.equal(rows[0]!['type'], 'EVT_REQUESTED');
      assert.equal(Number(rows[0]!['accepted']), 0);
      for (const r of rows) {
        assert.equal(r['application_context'], '1.2.840.10008.3.1.1.1');
        assert.ok(Number(r['proposed']) > 0);
      }
      assert.ok(Number(rows.find((r) => r['type'] === 'EVT_ACCEPTED')?.['accepted']) >= 1);
    },
  },
  17: {
    params: () => [],
    // The traffic's adapter never crashed: none (test/interrupted.int.test.ts has one).
    check: (rows) => assert.deepEqual(rows, []),
  },
};

export async function checkAuditQueries(pool: pg.Pool): Promise<number> {
  await runRetention(pool, { retentionDays: 3650 }); // query 15 reads the retention job's own event
  const { rows } = await pool.query<{ association_id: string }>(
    `SELECT association_id FROM audit.associations WHERE calling_ae_title = 'MODALITY1'`,
  );
  const ctx: Ctx = {
    from: new Date(Date.now() - 3600_000),
    to: new Date(Date.now() + 3600_000),
    storeAssociation: rows[0]!.association_id,
  };
  const queries = auditQueries();
  assert.ok(queries.length >= 12, `at least 12 queries (found ${queries.length})`);
  for (const q of queries) {
    const e = EXPECT[q.n];
    assert.ok(e, `query ${q.n} (${q.title}) has an expectation in the test`);
    const result = await pool.query(q.sql, e.params(ctx)).catch((err: Error) => {
      throw new Error(`query ${q.n} (${q.title}) failed: ${err.message}`);
    });
    try {
      e.check(result.rows, ctx);
    } catch (err) {
      throw new Error(
        `query ${q.n} (${q.title}): ${(err as Error).message}\n${JSON.stringify(result.rows, null, 1)}`,
      );
    }
  }
  return queries.length;
}
