/**
 * Anchoring benchmark, on this machine:
 *  1. one anchoring round (read chain_heads through the dicomtrail_anchor role, sign, write and fsync the file): median and
 *     p99 over BENCH_ANCHORS rounds, and with the local TSA (openssl ts -reply behind HTTP) over BENCH_TSA_ROUNDS;
 *  2. `verify --anchors` over those anchors (BENCH_ANCHORS = 10,080: one week at the default one minute) and the
 *     trail (one association of 38 events written every BENCH_ANCHORS_PER_ASSOCIATION anchors, so the heads
 *     change as a live trail's do): wall time and peak RSS growth, against the plain walk of the same trail.
 * Prints Markdown tables to stdout, progress to stderr, writes bench-results/anchoring.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '@dicomtrail/migrations';
import { createLogger } from '@dicomtrail/runtime';
import { createTestDatabase } from '@dicomtrail/testing';
import pg from 'pg';
import { generateAnchorKey, loadAnchorPublicKey, loadAnchorSigningKey } from '../src/anchoring/anchor-key.js';
import { verifyWithAnchors } from '../src/anchoring/anchor-verify.js';
import { ANCHOR_TABLES, Anchorer } from '../src/anchoring/anchorer.js';
import { certificatesOfPem } from '../src/anchoring/timestamp-token.js';
import { createRolePool } from '../src/db.js';
import { verifyTrail } from '../src/verify.js';
import { contentsOf, writeDirect } from '../test/support/direct-write.js';
import { startLocalTsa } from '../test/support/local-tsa.js';
import { associationRecords } from '../test/support/synthetic.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const log = createLogger('anchor-bench', { level: process.env['LOG_LEVEL'] ?? 'warn' });
const ANCHORS = Number(process.env['BENCH_ANCHORS'] ?? '10080');
const PER_ASSOCIATION = Number(process.env['BENCH_ANCHORS_PER_ASSOCIATION'] ?? '20');
const TSA_ROUNDS = Number(process.env['BENCH_TSA_ROUNDS'] ?? '50');
const progress = (m: string) => process.stderr.write(`[bench] ${m}\n`);

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

const db = await createTestDatabase('anchor_bench');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'dt-anchor-bench-'));
const tsa = await startLocalTsa();
try {
  await migrate(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const reader = await createRolePool(db.url, 'dicomtrail_anchor', log, 1, ANCHOR_TABLES);
  const keyPath = path.join(tmp, 'key.pem');
  generateAnchorKey(keyPath);
  const key = loadAnchorSigningKey(keyPath);
  const dir = path.join(tmp, 'anchors');
  let now = Date.now() - ANCHORS * 60_000;
  const anchorer = Anchorer.open({
    pool: reader,
    dir,
    key,
    intervalMs: 60_000,
    log,
    now: () => new Date(now),
  });
  const rounds: number[] = [];
  let offset = 0;
  for (let i = 0; i < ANCHORS; i++) {
    if (i % PER_ASSOCIATION === 0) {
      const records = associationRecords(`PID-${i}`);
      await writeDirect(pool, contentsOf(records, offset), offset);
      offset += records.length;
    }
    const t0 = process.hrtime.bigint();
    await anchorer.anchorOnce();
    rounds.push(ms(t0));
    now += 60_000;
    if (i % 1000 === 999) progress(`${i + 1} anchors`);
  }
  const stamped = Anchorer.open({
    pool: reader,
    dir: path.join(tmp, 'stamped'),
    key,
    intervalMs: 60_000,
    log,
    tsa: { url: tsa.url, timeoutMs: 10_000, trusted: certificatesOfPem(readFileSync(tsa.caFile, 'utf8')) },
  });
  const tsaRounds: number[] = [];
  for (let i = 0; i < TSA_ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    await stamped.anchorOnce();
    tsaRounds.push(ms(t0));
  }

  let t0 = process.hrtime.bigint();
  const plain = await verifyTrail(pool);
  const plainMs = ms(t0);
  const rss0 = process.resourceUsage().maxRSS;
  t0 = process.hrtime.bigint();
  const anchored = await verifyWithAnchors(pool, {
    dir,
    publicKey: loadAnchorPublicKey(`${keyPath}.pub`),
    minRetentionDays: 365,
  });
  const anchoredMs = ms(t0);
  const peakGrowthMb = (process.resourceUsage().maxRSS - rss0) / 1024;
  if (!anchored.ok || !plain.ok)
    throw new Error(`verify failed: ${anchored.discrepancy ?? plain.broken?.problem}`);

  const result = {
    anchors: ANCHORS,
    rows: plain.rows,
    round_ms: { median: pct(rounds, 0.5), p99: pct(rounds, 0.99) },
    tsa_round_ms: { rounds: TSA_ROUNDS, median: pct(tsaRounds, 0.5), p99: pct(tsaRounds, 0.99) },
    verify_plain_ms: plainMs,
    verify_anchored_ms: anchoredMs,
    verify_anchored_peak_rss_growth_mb: peakGrowthMb,
    cpus: os.cpus().length,
  };
  process.stdout.write(
    [
      `### Anchoring (${os.cpus().length} CPUs, shared machine)`,
      '',
      '| measure | value |',
      '| --- | --- |',
      `| anchoring round, signed only (median / p99 over ${ANCHORS}) | ${result.round_ms.median.toFixed(2)} / ${result.round_ms.p99.toFixed(2)} ms |`,
      `| anchoring round with the local TSA (median / p99 over ${TSA_ROUNDS}) | ${result.tsa_round_ms.median.toFixed(1)} / ${result.tsa_round_ms.p99.toFixed(1)} ms |`,
      `| verify, plain walk (${plain.rows} rows, ${plain.chains} chains) | ${plainMs.toFixed(0)} ms |`,
      `| verify --anchors (same trail + ${ANCHORS} anchors) | ${anchoredMs.toFixed(0)} ms, peak RSS +${peakGrowthMb.toFixed(1)} MB |`,
      '',
    ].join('\n'),
  );
  const outDir = path.join(repoRoot, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'anchoring.json'), `${JSON.stringify(result, null, 2)}\n`);
  await reader.end();
  await pool.end();
} finally {
  await tsa.close();
  rmSync(tmp, { recursive: true, force: true });
  await db.drop();
}
