/**
 * A store that writes once (service-classes/write-once.ts), measured two ways:
 *
 * 1. File-system time per small instance, in this process, on the same disk, the two filings alternating
 *    instance by instance (a change of load falls on both):
 *    - "temporary file + link": what small instances cost before: the instance written to
 *      `<store>/.incoming/<uuid>.part` (open, write, close), hard-linked to `<study>/<series>/<sop>.dcm`,
 *      the temporary name removed;
 *    - "write once": `writeOnce`, the filing log line, an O_EXCL create under the final name, the write,
 *      fchmod, close.
 *    Each round files BENCH_FS_COUNT (2000) instances of ~10 KB with each, 100 per series folder, into a new
 *    store each; the typical time (median) and the mean (with the slow calls of a loaded disk) are reported.
 * 2. Instances per second of DCMTK's storescu → a receiver, events off, BENCH_SMALL_COUNT (2000) × ~10 KB,
 *    one association per run, receivers interleaved (order rotated each round) after one warm-up each:
 *    our adapter CLI, DCMTK's storescp, and, when BENCH_BASELINE_CLI names another build's
 *    `services/adapter/dist/src/cli.js`, that build (e.g. the commit before this store).
 *
 * Medians of BENCH_ROUNDS (5) rounds; the machine's load is printed with the tables (figures taken under load
 * are floors). Prints Markdown tables to stdout, progress to stderr, writes bench-results/adapter-write-once.json.
 * Run alone: `node services/adapter/dist/bench/write-once.bench.js` after `npm run build`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inDir } from '../src/association/store-receiver.js';
import { writeOnce } from '../src/service-classes/write-once.js';
import { EXPLICIT_LE, makeInstance, uid, writeInstance } from '../test/support/instances.js';
import {
  adapterCliPath,
  countFiles,
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

const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const FS_COUNT = intEnv('BENCH_FS_COUNT', 2000);
const SMALL_COUNT = intEnv('BENCH_SMALL_COUNT', 2000);
const BASELINE_CLI = process.env['BENCH_BASELINE_CLI'];
const AE = 'DICOMTRAIL';

process.once('exit', () => killAll());

// ---------------------------------------------------------------- 1. file-system time per instance

type Filing = (store: string, target: string, bytes: Buffer) => void;

/** The former path of a small instance: temporary file, hard link under the final name, unlink. */
const viaTemporaryFile: Filing = (store, target, bytes) => {
  const temp = path.join(store, '.incoming', `${randomUUID()}.part`);
  const fd = inDir(path.dirname(temp), () => openSync(temp, 'w', 0o600));
  writeSync(fd, bytes);
  closeSync(fd);
  inDir(path.dirname(target), () => linkSync(temp, target));
  rmSync(temp, { force: true });
};

const once: Filing = (store, target, bytes) => {
  writeOnce(store, target, bytes);
};

interface FilingTimes {
  /** Median of the per-instance times (µs): the typical filing. */
  median: number;
  /** Mean (µs): with the slow ones a loaded file system adds. */
  mean: number;
}

/**
 * Files `count` instances of `bytes` with each filing, alternating instance by instance (so a change of the
 * machine's load falls on both), each filing into a new store below `root`; per-instance times in µs.
 */
function fileRound(root: string, filings: ReadonlyArray<[string, Filing]>, bytes: Buffer, count: number) {
  const stores = filings.map(() => mkdtempSync(path.join(root, 'fs-')));
  const study = uid();
  const series = filings.map(() => uid());
  const times = filings.map(() => [] as number[]);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < filings.length; k++) {
      if (i % 100 === 0) series[k] = uid();
      const target = path.join(stores[k]!, study, series[k]!, `${uid()}.dcm`);
      const t0 = performance.now();
      filings[k]![1](stores[k]!, target, bytes);
      times[k]!.push((performance.now() - t0) * 1000);
    }
  }
  for (const s of stores) rmSync(s, { recursive: true, force: true });
  return new Map<string, FilingTimes>(
    filings.map(([name], k) => [
      name,
      { median: median(times[k]!), mean: times[k]!.reduce((a, b) => a + b, 0) / count },
    ]),
  );
}

// ---------------------------------------------------------------- 2. storescu → receivers

interface Receiver {
  name: string;
  label: string;
  port: number;
  storeDir: string;
  child: ChildProcess;
}

async function startReceiver(name: string, label: string, storeDir: string, cli?: string): Promise<Receiver> {
  const port = await freePort();
  mkdirSync(storeDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', TCP_NODELAY: '1' };
  // Events off: no broker, no events file.
  delete env['KAFKA_BROKERS'];
  delete env['EVENTS_OUT'];
  const child = cli
    ? spawn(
        process.execPath,
        [cli, 'adapter', '--port', String(port), '--ae-title', AE, '--store-dir', storeDir],
        {
          env,
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      )
    : spawn('storescp', ['--max-pdu', '65536', '-od', storeDir, String(port)], {
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
  track(child);
  await waitListening(port, child, label);
  return { name, label, port, storeDir, child };
}

async function storeRun(r: Receiver, dir: string, count: number): Promise<number> {
  emptyDir(r.storeDir);
  const res = await runTool('storescu', ['-aec', AE, '+sd', '127.0.0.1', String(r.port), dir]);
  if (res.code !== 0) throw new Error(`storescu → ${r.label} exited ${res.code}: ${res.stderr.slice(-1000)}`);
  const stored = countFiles(r.storeDir);
  if (stored !== count) throw new Error(`${r.label} stored ${stored} of ${count}`);
  emptyDir(r.storeDir);
  return res.seconds;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(process.env['BENCH_TMP'] ?? os.tmpdir(), 'dt-bench-write-once-'));
  const load0 = os.loadavg()[0]!;
  const receivers: Receiver[] = [];
  try {
    // 1.
    const inst = makeInstance({ transferSyntax: EXPLICIT_LE, pixelBytes: 10_000 - 600 });
    const filings: Array<[string, Filing]> = [
      ['temporary file + link', viaTemporaryFile],
      ['write once', once],
    ];
    const fsUs: Record<string, { median: number[]; mean: number[] }> = {};
    for (const [name] of filings) fsUs[name] = { median: [], mean: [] };
    fileRound(root, filings, inst.bytes, Math.min(200, FS_COUNT)); // warm-up
    for (let i = 0; i < ROUNDS; i++) {
      // The previous round's dirty pages written back first: otherwise write(2) is throttled more each round.
      await runTool('sync', []);
      const round = fileRound(root, rotate(filings, i), inst.bytes, FS_COUNT);
      for (const [name, t] of round) {
        fsUs[name]!.median.push(t.median);
        fsUs[name]!.mean.push(t.mean);
        progress(
          `fs round ${i + 1}/${ROUNDS} ${name}: median ${t.median.toFixed(1)} µs, mean ${t.mean.toFixed(1)} µs`,
        );
      }
    }

    // 2.
    const data = path.join(root, 'small');
    mkdirSync(data);
    const study = uid();
    let series = uid();
    for (let i = 0; i < SMALL_COUNT; i++) {
      if (i % 100 === 0) series = uid();
      writeInstance(path.join(data, `s${String(i).padStart(5, '0')}.dcm`), {
        transferSyntax: EXPLICIT_LE,
        pixelBytes: 10_000 - 600,
        studyUid: study,
        seriesUid: series,
      });
    }
    receivers.push(
      await startReceiver('ours', 'dicomtrail (write once)', path.join(root, 'out-ours'), adapterCliPath),
    );
    if (BASELINE_CLI)
      receivers.push(
        await startReceiver(
          'baseline',
          'dicomtrail (BENCH_BASELINE_CLI)',
          path.join(root, 'out-base'),
          BASELINE_CLI,
        ),
      );
    receivers.push(await startReceiver('dcmtk', 'storescp', path.join(root, 'out-dcmtk')));
    for (const r of receivers) await storeRun(r, data, SMALL_COUNT); // warm-up
    const secs: Record<string, number[]> = Object.fromEntries(receivers.map((r) => [r.name, []]));
    for (let i = 0; i < ROUNDS; i++)
      for (const r of rotate(receivers, i)) {
        await runTool('sync', []);
        const s = await storeRun(r, data, SMALL_COUNT);
        secs[r.name]!.push(s);
        progress(`store round ${i + 1}/${ROUNDS} ${r.label}: ${(SMALL_COUNT / s).toFixed(0)} inst/s`);
      }
    const load1 = os.loadavg()[0]!;

    // ------------------------------------------------------------ report
    const lines: string[] = [];
    const fsMedian = Object.fromEntries(
      filings.map(([n]) => [n, { median: median(fsUs[n]!.median), mean: median(fsUs[n]!.mean) }]),
    );
    const before = fsMedian['temporary file + link']!;
    lines.push(
      `### Filing a small instance (~10 KB): file-system time per instance, ${ROUNDS} rounds of ${FS_COUNT} per filing, alternating instance by instance`,
      '',
      '| filing | µs per instance, typical (median of round medians) | µs per instance, mean (median of round means) | round medians (µs) | typical vs temporary file + link |',
      '| --- | ---: | ---: | --- | ---: |',
      ...filings.map(
        ([n]) =>
          `| ${n} | ${fsMedian[n]!.median.toFixed(1)} | ${fsMedian[n]!.mean.toFixed(1)} | ` +
          `${fsUs[n]!.median.map((x) => x.toFixed(0)).join(', ')} | ${(fsMedian[n]!.median / before.median).toFixed(2)} |`,
      ),
      '',
      `### storescu → receiver, events off, ${SMALL_COUNT} × ~10 KB, one association, median of ${ROUNDS} interleaved rounds`,
      '',
      '| receiver | median s | inst/s | ratio to storescp (of medians) | paired ratio (median of per-round) |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    const dcmtk = secs['dcmtk']!;
    const stats: Record<string, { median_s: number; inst_per_s: number; ratio: number; paired: number }> = {};
    for (const r of receivers) {
      const m = median(secs[r.name]!);
      const ratio = median(dcmtk) / m;
      const paired = median(secs[r.name]!.map((s, i) => dcmtk[i]! / s));
      stats[r.name] = {
        median_s: round(m, 3),
        inst_per_s: round(SMALL_COUNT / m, 1),
        ratio: round(ratio, 2),
        paired: round(paired, 2),
      };
      lines.push(
        `| ${r.label} | ${m.toFixed(3)} | ${(SMALL_COUNT / m).toFixed(0)} | ${ratio.toFixed(2)} | ${paired.toFixed(2)} |`,
      );
    }
    lines.push(
      '',
      `Load average (1 min) ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end, on ${os.cpus().length} CPUs: ` +
        'figures taken under load are floors. storescu wall clock (process start, scan, negotiation included).',
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    const outDir = path.join(repoRoot, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      path.join(outDir, 'adapter-write-once.json'),
      `${JSON.stringify(
        {
          bench: 'adapter-write-once',
          date: new Date().toISOString(),
          rounds: ROUNDS,
          load: { start: load0, end: load1, cpus: os.cpus().length },
          fs_us_per_instance: { rounds: fsUs, median: fsMedian },
          store: stats,
          baseline_cli: BASELINE_CLI ?? null,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    for (const r of receivers) r.child.kill('SIGTERM');
    killAll();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  killAll();
  process.exitCode = 1;
});
