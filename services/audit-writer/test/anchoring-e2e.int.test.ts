/**
 * The anchoring process as deployed: real events through real Kafka into the audit writer, the anchoring
 * process started as `dicomtrail-audit anchor` (its own process, the key only it reads, the dicomtrail_anchor role, a
 * real RFC 3161 TSA) anchoring every 300 ms while the writer ingests; it stops cleanly on SIGTERM. Then the
 * auditor's `verify --anchors` passes, and after a superuser rewrites a chain and its head it names the
 * rewrite.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createEventProducer } from '@dicomtrail/event-log';
import { readAnchorFiles } from '../src/anchoring/anchor-directory.js';
import { generateAnchorKey } from '../src/anchoring/anchor-key.js';
import type { Anchor } from '../src/anchoring/anchor-record.js';
import type { AuditWriter } from '../src/consumer-loop.js';
import {
  createHarness,
  type Harness,
  startWriter,
  testLog,
  waitCaughtUp,
  waitFor,
} from './support/harness.js';
import { type LocalTsa, startLocalTsa } from './support/local-tsa.js';
import { rewriteFrom } from './support/superuser.js';
import { associationRecords } from './support/synthetic.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.js');
const GROUP = 'audit-anchor-e2e';
let h: Harness;
let writer: AuditWriter | undefined;
let tsa: LocalTsa;
let tmp: string;
let anchorProcess: ChildProcess | undefined;

before(async () => {
  h = await createHarness('anchor_e2e');
  writer = await startWriter(h, GROUP);
  tsa = await startLocalTsa();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'dt-anchor-e2e-'));
  generateAnchorKey(path.join(tmp, 'key.pem'));
});
after(async () => {
  anchorProcess?.kill('SIGKILL');
  await writer?.stop();
  await tsa?.close();
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function produce(associations: number): Promise<void> {
  const producer = createEventProducer({ topic: h.topic, brokers: h.brokers, log: testLog });
  await producer.connect();
  for (let i = 0; i < associations; i++) await producer.send(associationRecords(`PID-E2E-${i}`));
  await producer.disconnect();
  await waitCaughtUp(h, GROUP);
}

/** Every chain head in the database is the latest one some anchor signed for it. */
async function anchorsCoverHeads(dir: string): Promise<boolean> {
  const signed = new Map<string, number>();
  for (const f of readAnchorFiles(dir)) {
    for (const head of (JSON.parse(f.text) as Anchor).heads) signed.set(head.chain_id, head.position);
  }
  const { rows } = await h.pool.query<{ chain_id: string; position: number }>(
    'SELECT chain_id, position::float8 AS position FROM audit.chain_heads',
  );
  return rows.length > 0 && rows.every((r) => signed.get(r.chain_id) === r.position);
}

const env = (dir: string) => ({
  ...process.env,
  DATABASE_URL: h.db.url,
  AUDIT_ANCHOR_KEY: path.join(tmp, 'key.pem'),
  AUDIT_ANCHOR_DIR: dir,
  AUDIT_TSA_URL: tsa.url,
  AUDIT_TSA_CA_FILE: tsa.caFile,
  AUDIT_TSA_TIMEOUT_MS: '30000', // openssl on a loaded 2-core machine
  LOG_LEVEL: 'info',
});

async function verify(dir: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'verify', '--anchors', dir], {
      env: { ...env(dir), LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

test('the anchoring process anchors a live trail fed from Kafka, stops on SIGTERM, and verify catches a rewrite', async () => {
  const dir = path.join(tmp, 'anchors');
  await produce(3);
  const child = spawn(process.execPath, [CLI, 'anchor'], {
    env: { ...env(dir), AUDIT_ANCHOR_INTERVAL_MS: '300' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  anchorProcess = child;
  let log = '';
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  await waitFor(() => anchorsCoverHeads(dir), 30_000, 'anchors of every chain head');
  await produce(3); // while the anchoring process runs
  await waitFor(() => anchorsCoverHeads(dir), 30_000, 'anchors of the new heads');

  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, log);
  anchorProcess = undefined;
  assert.match(log, /"msg":"anchoring chain heads"/);
  assert.doesNotMatch(log, /"level":(50|60)/, 'no errors logged');

  const ok = await verify(dir);
  assert.equal(ok.code, 0, ok.stdout);
  assert.match(ok.stdout, /^OK: \d+ chains, 228 rows verified/);
  const m = /anchors: (\d+) \((\d+) timestamped\)/.exec(ok.stdout);
  assert.ok(m && Number(m[1]) >= 2 && m[1] === m[2], ok.stdout);

  const { rows } = await h.pool.query<{ chain_id: string }>(
    'SELECT chain_id FROM audit.chain_heads ORDER BY position DESC LIMIT 1',
  );
  const chain = rows[0]!.chain_id;
  await rewriteFrom(h.pool, chain, 2);
  const caught = await verify(dir);
  assert.equal(caught.code, 1);
  assert.match(
    caught.stdout,
    new RegExp(`^FAILED: broken link in chain ${chain} at position \\d+ .*anchor_mismatch`),
  );
});
