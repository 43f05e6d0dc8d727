/**
 * What the audit proxy costs a PACS's clients, on loopback, in one run: DCMTK's storescu sends
 * BENCH_PROXY_COUNT (1,000) ~10 KB instances to DCMTK's storescp (the "PACS") directly, and through the
 * dicomtrail proxy (the adapter CLI with PROXY_UPSTREAM, its own process) with no events recorded, with every
 * event written to a JSONL file, and, when a broker answers (KAFKA_BROKERS, else 127.0.0.1:9092), published to
 * Kafka with AUDIT_DURABILITY=sync (every answer waits for its events in the write-ahead log) and async; the
 * same with BENCH_PROXY_LARGE_COUNT (5) instances of BENCH_PROXY_LARGE_MB (20) MB; and echoscu --repeat
 * BENCH_PROXY_ECHOES (500) C-ECHOs on one association each way. One warm-up per
 * path, then BENCH_ROUNDS (3) interleaved rounds (the order rotates), medians. The proxy relays a C-STORE after
 * it has the whole data set (through a temporary file), so a round trip costs two hops and a write/read.
 * The Kafka rows' topics are unique to the run and deleted at the end.
 * Prints a Markdown table to stdout, progress to stderr; writes bench-results/proxy.json at the repo root.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXPLICIT_LE, uid, writeInstance } from '../test/support/instances.js';
import {
  adapterCliPath,
  benchBroker,
  countFiles,
  deleteTopics,
  emptyDir,
  freePort,
  intEnv,
  killAll,
  median,
  progress,
  repoRoot,
  rotate,
  round,
  runTool,
  track,
  waitListening,
} from './bench-support.js';

const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const COUNT = intEnv('BENCH_PROXY_COUNT', 1000);
const ECHOES = intEnv('BENCH_PROXY_ECHOES', 500);
const LARGE_COUNT = intEnv('BENCH_PROXY_LARGE_COUNT', 5);
const LARGE_MB = intEnv('BENCH_PROXY_LARGE_MB', 20);

interface Path {
  name: string;
  port: number;
  child?: ChildProcess;
}

async function startPacs(root: string): Promise<{ port: number; dir: string; child: ChildProcess }> {
  const dir = path.join(root, 'pacs');
  mkdirSync(dir);
  const port = await freePort();
  const child = track(
    spawn('storescp', ['-aet', 'PACS', '-od', dir, String(port)], {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: 'ignore',
    }),
  );
  await waitListening(port, child, 'storescp');
  return { port, dir, child };
}

async function startProxy(
  name: string,
  root: string,
  pacsPort: number,
  env: Record<string, string>,
): Promise<Path> {
  const port = await freePort();
  const dir = path.join(root, name.replace(/\W+/g, '-'));
  mkdirSync(dir);
  const child = track(
    spawn(
      process.execPath,
      [adapterCliPath, 'adapter', '--port', String(port), '--store-dir', path.join(dir, 'tmp')],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          LOG_LEVEL: 'warn',
          KAFKA_BROKERS: '',
          PROXY_UPSTREAM: `127.0.0.1:${pacsPort}`,
          SPOOL_DIR: path.join(dir, 'spool'),
          ...env,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    ),
  );
  await waitListening(port, child, name);
  return { name, port, child };
}

async function storeRound(p: Path, files: string, pacsDir: string, count = COUNT): Promise<number> {
  emptyDir(pacsDir);
  const r = await runTool('storescu', [
    '-aet',
    'MODALITY',
    '-aec',
    'PACS',
    '+sd',
    '127.0.0.1',
    String(p.port),
    files,
  ]);
  if (r.code !== 0) throw new Error(`storescu via ${p.name} failed: ${r.stderr.slice(0, 500)}`);
  const n = countFiles(pacsDir);
  if (n !== count) throw new Error(`via ${p.name}: ${n} of ${count} instances at the PACS`);
  return r.seconds;
}

async function echoRound(p: Path): Promise<number> {
  const r = await runTool('echoscu', [
    '--repeat',
    String(ECHOES),
    '-aec',
    'PACS',
    '127.0.0.1',
    String(p.port),
  ]);
  if (r.code !== 0) throw new Error(`echoscu via ${p.name} failed: ${r.stderr.slice(0, 500)}`);
  return r.seconds;
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(process.env['BENCH_TMP'] ?? os.tmpdir(), 'dt-bench-proxy-'));
  const brokers = await benchBroker();
  const topics: string[] = [];
  try {
    const files = path.join(root, 'instances');
    mkdirSync(files);
    const studyUid = uid();
    const seriesUid = uid();
    for (let i = 0; i < COUNT; i++)
      writeInstance(path.join(files, `i${String(i).padStart(5, '0')}.dcm`), {
        transferSyntax: EXPLICIT_LE,
        pixelBytes: 10_000,
        studyUid,
        seriesUid,
      });
    const bytes = statSync(path.join(files, 'i00000.dcm')).size;
    const large = path.join(root, 'large');
    mkdirSync(large);
    for (let i = 0; i < LARGE_COUNT; i++)
      writeInstance(path.join(large, `l${String(i).padStart(3, '0')}.dcm`), {
        transferSyntax: EXPLICIT_LE,
        pixelBytes: LARGE_MB * 1_000_000 - 600,
        studyUid,
        seriesUid,
      });
    const pacs = await startPacs(root);
    const paths: Path[] = [
      { name: 'direct (storescu → storescp)', port: pacs.port },
      await startProxy('via proxy, events off', root, pacs.port, {}),
      await startProxy('via proxy, events → JSONL file', root, pacs.port, {
        EVENTS_OUT: path.join(root, 'events.jsonl'),
      }),
    ];
    if (brokers) {
      // Every event to Kafka: through the write-ahead log, each answer waiting for its events to be durable
      // (AUDIT_DURABILITY=sync, the default), or queued in memory (async).
      for (const durability of ['sync', 'async'] as const) {
        const topic = `dicomtrail.bench.proxy.${durability}.${Date.now().toString(36)}`;
        topics.push(topic);
        paths.push(
          await startProxy(`via proxy, events → Kafka, ${durability}`, root, pacs.port, {
            KAFKA_BROKERS: brokers,
            EVENTS_TOPIC: topic,
            AUDIT_DURABILITY: durability,
          }),
        );
      }
    } else progress('no broker at KAFKA_BROKERS (or 127.0.0.1:9092): the Kafka rows are left out');

    const stores = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    const larges = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    const echoes = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    for (const p of paths) {
      progress(`warm-up: ${p.name}`);
      await storeRound(p, files, pacs.dir);
      if (LARGE_COUNT > 0) await storeRound(p, large, pacs.dir, LARGE_COUNT);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const p of rotate(paths, r)) {
        const s = await storeRound(p, files, pacs.dir);
        const l = LARGE_COUNT > 0 ? await storeRound(p, large, pacs.dir, LARGE_COUNT) : Number.NaN;
        const e = await echoRound(p);
        stores.get(p.name)!.push(s);
        larges.get(p.name)!.push(l);
        echoes.get(p.name)!.push(e);
        progress(
          `round ${r + 1}/${ROUNDS} ${p.name}: ${COUNT} stores ${s.toFixed(3)} s, ${LARGE_COUNT} × ${LARGE_MB} MB ${l.toFixed(3)} s, ${ECHOES} echoes ${e.toFixed(3)} s`,
        );
      }
    }
    const direct = paths[0]!.name;
    const rows = paths.map((p) => {
      const s = median(stores.get(p.name)!);
      const e = median(echoes.get(p.name)!);
      const l = median(larges.get(p.name)!);
      return {
        large_median_s: round(l, 3),
        large_mb_per_s: round((LARGE_COUNT * LARGE_MB) / l, 1),
        large_ratio_to_direct: round(median(larges.get(direct)!) / l, 2),
        path: p.name,
        store_median_s: round(s, 3),
        instances_per_s: round(COUNT / s, 1),
        store_ratio_to_direct: round(median(stores.get(direct)!) / s, 2),
        echo_median_s: round(e, 3),
        echoes_per_s: round(ECHOES / e, 1),
        echo_ratio_to_direct: round(median(echoes.get(direct)!) / e, 2),
      };
    });
    const table = [
      `### The audit proxy in front of DCMTK storescp (${COUNT} instances of ${bytes} B, ${LARGE_COUNT} of ~${LARGE_MB} MB, ${ECHOES} C-ECHOs on one association; median of ${ROUNDS})`,
      '',
      '| Path | small: store s | inst/s | ratio to direct | large: store s | MB/s | ratio to direct | echo s | echo/s | ratio to direct |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) =>
          `| ${r.path} | ${r.store_median_s} | ${r.instances_per_s} | ${r.store_ratio_to_direct} | ${r.large_median_s} | ${r.large_mb_per_s} | ${r.large_ratio_to_direct} | ${r.echo_median_s} | ${r.echoes_per_s} | ${r.echo_ratio_to_direct} |`,
      ),
      '',
    ].join('\n');
    process.stdout.write(`${table}\n`);
    const outDir = path.join(repoRoot, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      path.join(outDir, 'proxy.json'),
      `${JSON.stringify({ bench: 'proxy', count: COUNT, instance_bytes: bytes, echoes: ECHOES, rounds: ROUNDS, rows }, null, 2)}\n`,
    );
  } finally {
    killAll('SIGTERM');
    rmSync(root, { recursive: true, force: true });
    if (brokers) await deleteTopics(brokers, topics);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] proxy benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  killAll();
  process.exit(1);
});
