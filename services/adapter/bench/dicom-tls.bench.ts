/**
 * The cost of DICOM TLS: DCMTK's storescu and echoscu sending to our SCP (the adapter CLI, a separate process)
 * plaintext and over TLS, beside DCMTK's storescp plaintext and over TLS, in one run. TLS on both sides is the
 * BCP 195 non-downgrading profile with client certificates (RSA 2048, made here with openssl): dcmtk's `+tls`
 * against our DICOM_TLS_CERT / DICOM_TLS_KEY / DICOM_TLS_CA, and against `storescp +tls`.
 *   (a) BENCH_TLS_SMALL_COUNT (500) instances of ~10 KB on one association; (b) BENCH_TLS_LARGE_COUNT (5)
 *   instances of ~BENCH_TLS_LARGE_MB (20) MB on one association; (c) BENCH_TLS_ASSOCIATIONS (20) associations one
 *   after the other, each one C-ECHO (connection set-up and, over TLS, the handshake dominate).
 * Rounds (BENCH_ROUNDS, default 5) are interleaved, the receivers' order rotating each round, after one warm-up;
 * the table shows medians and the paired ratio to storescp over TLS. No events leave our SCP (no Kafka, no
 * events file): what is measured is the DICOM service with and without TLS. Writes
 * bench-results/adapter-dicom-tls.json. Alone: `node services/adapter/dist/bench/dicom-tls.bench.js`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dcmtkTls, makeTestPki, type TestPki } from '../test/support/dicom-tls.js';
import { EXPLICIT_LE, uid, writeInstance } from '../test/support/instances.js';
import * as bench from './bench-support.js';

const ROUNDS = bench.intEnv('BENCH_ROUNDS', 5);
const SMALL_COUNT = bench.intEnv('BENCH_TLS_SMALL_COUNT', 500);
const LARGE_COUNT = bench.intEnv('BENCH_TLS_LARGE_COUNT', 5);
const LARGE_MB = bench.intEnv('BENCH_TLS_LARGE_MB', 20);
const ASSOCIATIONS = bench.intEnv('BENCH_TLS_ASSOCIATIONS', 20);
const AE = 'DICOMTRAIL';

interface Receiver {
  key: string;
  label: string;
  tls: boolean;
  port: number;
  storeDir: string;
  child: ChildProcess;
  stderrTail: () => string;
}

let tempRoot: string | undefined;
let pki: TestPki | undefined;
function cleanup(): void {
  bench.killAll();
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
  tempRoot = undefined;
  pki = undefined;
}
process.once('exit', () => bench.killAll());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(sig, () => {
    cleanup();
    process.exit(130);
  });

async function startReceiver(key: string, label: string, tls: boolean, storeDir: string): Promise<Receiver> {
  const port = await bench.freePort();
  mkdirSync(storeDir, { recursive: true });
  const p = pki!;
  let child: ChildProcess;
  if (key.startsWith('dcmtk')) {
    const tlsArgs = tls ? dcmtkTls(p, p.server) : [];
    child = spawn('storescp', [...tlsArgs, '-od', storeDir, String(port)], {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } else {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' };
    delete env['KAFKA_BROKERS'];
    if (tls)
      Object.assign(env, {
        DICOM_TLS_CERT: p.server.cert,
        DICOM_TLS_KEY: p.server.key,
        DICOM_TLS_CA: p.ca.cert,
      });
    child = spawn(
      process.execPath,
      [bench.adapterCliPath, 'adapter', '--port', String(port), '--ae-title', AE, '--store-dir', storeDir],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }
  bench.track(child);
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    tail = (tail + d).slice(-4000);
  });
  await bench.waitListening(port, child, label);
  return { key, label, tls, port, storeDir, child, stderrTail: () => tail };
}

/** `count` instances of one study in `root/name` (Explicit VR LE, `pixelBytes` each): the files' total size. */
function writeStudy(root: string, name: string, count: number, pixelBytes: number): Files {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  const study = { studyUid: uid(), transferSyntax: EXPLICIT_LE, pixelBytes };
  const sizes = Array.from({ length: count }, (_, i) => {
    const file = path.join(dir, `${name}-${i}.dcm`);
    writeInstance(file, { ...study, patientId: `PID-${i % 10}` });
    return statSync(file).size;
  });
  return { name, dir, count, bytes: sizes.reduce((a, b) => a + b, 0) };
}

interface Files {
  name: string;
  dir: string;
  count: number;
  bytes: number;
}

function tlsArgs(r: Receiver): string[] {
  return r.tls ? dcmtkTls(pki!) : [];
}

async function storeRound(r: Receiver, data: Files): Promise<number> {
  bench.emptyDir(r.storeDir);
  const res = await bench.runTool('storescu', [
    ...tlsArgs(r),
    '-aec',
    AE,
    '+sd',
    '127.0.0.1',
    String(r.port),
    data.dir,
  ]);
  if (res.code !== 0)
    throw new Error(
      `storescu → ${r.label} (${data.name}) exited ${res.code}: ${res.stderr.slice(-1500)}\n${r.stderrTail()}`,
    );
  const stored = bench.countFiles(r.storeDir);
  if (stored !== data.count)
    throw new Error(`${r.label} stored ${stored} of ${data.count} ${data.name} instances`);
  bench.emptyDir(r.storeDir);
  return res.seconds;
}

/** ASSOCIATIONS echoscu runs one after the other: seconds per association. */
async function associationRound(r: Receiver): Promise<number> {
  let total = 0;
  for (let i = 0; i < ASSOCIATIONS; i++) {
    const res = await bench.runTool('echoscu', [...tlsArgs(r), '-aec', AE, '127.0.0.1', String(r.port)]);
    if (res.code !== 0)
      throw new Error(`echoscu → ${r.label} exited ${res.code}: ${res.stderr.slice(-1500)}`);
    total += res.seconds;
  }
  return total / ASSOCIATIONS;
}

async function main(): Promise<void> {
  for (const tool of ['storescu', 'storescp', 'echoscu', 'openssl']) {
    const r = await bench
      .runTool(tool, [tool === 'openssl' ? 'version' : '--version'])
      .catch(() => undefined);
    if (r?.code !== 0) throw new Error(`${tool} not found`);
  }
  pki = makeTestPki();
  const root = mkdtempSync(path.join(process.env['BENCH_TMP'] ?? os.tmpdir(), 'dt-bench-tls-'));
  tempRoot = root;
  const small = writeStudy(root, 'small', SMALL_COUNT, 10_000 - 600);
  const large = writeStudy(root, 'large', LARGE_COUNT, LARGE_MB * 1_000_000 - 600);
  bench.progress(`data: ${small.count} × ~10 KB, ${large.count} × ~${LARGE_MB} MB; ${ROUNDS} rounds`);
  const receivers = [
    await startReceiver('ours', 'dicomtrail', false, path.join(root, 'out-ours')),
    await startReceiver('ours_tls', 'dicomtrail TLS', true, path.join(root, 'out-ours-tls')),
    await startReceiver('dcmtk', 'storescp', false, path.join(root, 'out-dcmtk')),
    await startReceiver('dcmtk_tls', 'storescp TLS', true, path.join(root, 'out-dcmtk-tls')),
  ];
  const workloads = [
    {
      key: 'small',
      label: `${small.count} × 10 KB, one association`,
      run: (r: Receiver) => storeRound(r, small),
      per: small,
    },
    {
      key: 'large',
      label: `${large.count} × ${LARGE_MB} MB, one association`,
      run: (r: Receiver) => storeRound(r, large),
      per: large,
    },
    {
      key: 'associations',
      label: `${ASSOCIATIONS} associations × 1 C-ECHO (per association)`,
      run: associationRound,
    },
  ] as const;
  const results: Record<string, Record<string, number[]>> = {};
  for (const w of workloads) {
    results[w.key] = {};
    for (const r of receivers) {
      const s = await w.run(r);
      bench.progress(`${w.key} warm-up ${r.label}: ${s.toFixed(3)} s`);
      results[w.key]![r.key] = [];
    }
    for (let i = 1; i <= ROUNDS; i++) {
      for (const r of bench.rotate(receivers, i - 1)) {
        await bench.runTool('sync', []);
        const s = await w.run(r);
        results[w.key]![r.key]!.push(s);
        bench.progress(`${w.key} round ${i}/${ROUNDS} ${r.label}: ${s.toFixed(3)} s`);
      }
    }
  }
  // Paired ratio per round: (storescp TLS time) / (receiver time); > 1 is faster than storescp over TLS.
  const vsDcmtkTls = (w: string, k: string): number =>
    bench.median(results[w]![k]!.map((s, i) => results[w]!['dcmtk_tls']![i]! / s));
  const tlsCost = (w: string, plain: string, tls: string): number =>
    bench.median(results[w]![tls]!.map((s, i) => s / results[w]![plain]![i]!));
  const lines = [
    '### DICOM TLS: storescu / echoscu to our SCP and to storescp, plaintext and TLS',
    '',
    `Medians of ${ROUNDS} interleaved rounds; TLS: BCP 195 non-downgrading profile, RSA 2048 client and server certificates.`,
    '',
    '| workload | receiver | median | rate | vs storescp TLS | TLS / plaintext (same receiver) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  const summary: Record<string, unknown> = {};
  for (const w of workloads) {
    for (const r of receivers) {
      const m = bench.median(results[w.key]![r.key]!);
      const rate =
        'per' in w
          ? `${bench.round(w.per.count / m, 1)} inst/s, ${bench.round(w.per.bytes / 1e6 / m, 1)} MB/s`
          : `${bench.round(m * 1000, 1)} ms/association`;
      const plainKey = r.key.replace('_tls', '');
      const cost = r.tls ? `${bench.round(tlsCost(w.key, plainKey, r.key), 2)}×` : '';
      lines.push(
        `| ${w.label} | ${r.label} | ${bench.round(m, 3)} s | ${rate} | ${bench.round(vsDcmtkTls(w.key, r.key), 2)} | ${cost} |`,
      );
      summary[`${w.key}.${r.key}`] = {
        rounds_s: results[w.key]![r.key]!.map((x) => bench.round(x, 4)),
        median_s: bench.round(m, 4),
      };
    }
  }
  lines.push(
    '',
    `Node ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} at the end.`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(path.join(bench.repoRoot, 'bench-results'), { recursive: true });
  writeFileSync(
    path.join(bench.repoRoot, 'bench-results', 'adapter-dicom-tls.json'),
    `${JSON.stringify({ finished_at: new Date().toISOString(), rounds: ROUNDS, results: summary }, null, 2)}\n`,
  );
}

try {
  await main();
} finally {
  cleanup();
}
