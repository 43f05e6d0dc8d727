/**
 * Our SCP (the adapter CLI, a separate process) against DCMTK's storescp, both receiving from DCMTK's
 * storescu over loopback and writing Part 10 files to a temporary directory:
 *   (a) 2,000 instances of ~10 KB and (b) 20 instances of ~50 MB (Explicit VR LE, made here, deleted at the
 *   end), one association per storescu run; plus C-ECHO round trips over one association (echoscu --repeat).
 * Rounds are interleaved (ours, dcmtk, ours+events; the order rotates each round) after one warm-up of each,
 * because this machine is noisy (shared/research/performance.md: only interleaved ratios count).
 * Every DCMTK process runs with TCP_NODELAY=1 (performance.md F1). Prints a Markdown table to stdout, one
 * progress line per round to stderr, and writes bench-results/adapter-storescp.json at the repo root.
 *
 * Knobs (environment): BENCH_ROUNDS (5), BENCH_SMALL_COUNT (2000), BENCH_LARGE_COUNT (20),
 * BENCH_ECHO_LOW (1000) and BENCH_ECHO_HIGH (10000) C-ECHOs per echoscu run (the marginal rate is their difference),
 * BENCH_LARGE_MB (50), BENCH_PDU (65536: the max PDU both receivers advertise; the adapter's default),
 * BENCH_TMP (os.tmpdir()), BENCH_CPU_PROF=DIR (run our adapter under node --cpu-prof, profiles to DIR),
 * BENCH_NO_EVENTS_VARIANT=1 (skip the --events-out variant), BENCH_NO_KAFKA=1 (skip the Kafka variants),
 * BENCH_COMPARE_CLI=PATH (one more receiver: AUDIT_DURABILITY=sync on another build's dist/src/cli.js, e.g. the
 * code before a change, measured in the same interleaved rounds).
 * When a broker answers (KAFKA_BROKERS, else 127.0.0.1:9092), two more receivers publish every event to Kafka
 * (a topic of their own, deleted at the end): AUDIT_DURABILITY=sync (the default: each answer waits for its
 * events in the write-ahead log, fdatasync'd under BENCH_TMP) and async (events queued in memory). For sync,
 * a second table breaks each acknowledged operation's cost down (encode, append, fdatasync, thread hops),
 * from the adapter's own counters (/metrics on a HEALTH_PORT of its own, durability-breakdown.ts).
 * Before and after the rounds the store folder's own costs are measured (store-folder-costs.ts: a file creation,
 * an fdatasync), and a last table gives the wire-speed ratios of issue 17 against their targets.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
import { breakdownTable, perOperation, type RoundBreakdown, readCounters } from './durability-breakdown.js';
import { fileCreationCost, type StoreFolderCosts, storeFolderCosts } from './store-folder-costs.js';

const cliPath = adapterCliPath;

const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const SMALL_COUNT = intEnv('BENCH_SMALL_COUNT', 2000);
const LARGE_COUNT = intEnv('BENCH_LARGE_COUNT', 20);
const LARGE_MB = intEnv('BENCH_LARGE_MB', 50);
const PDU = intEnv('BENCH_PDU', 65536);
const ECHO_LOW = intEnv('BENCH_ECHO_LOW', 1000);
const ECHO_HIGH = intEnv('BENCH_ECHO_HIGH', 10000);
const AE = 'DICOMTRAIL';
const CPU_PROF = process.env['BENCH_CPU_PROF'];

const TARGETS = { smallRatio: 0.8, largeRatio: 0.9, largePeakRssMb: 250 };
/** Issue 17 (wire speed): ratios to storescp. */
const WIRE_SPEED = { eventsOffSmall: 1.0, kafkaSyncSmall: 0.85, recordedLarge: 0.9, echoMarginal: 1.0 };

// ---------------------------------------------------------------- processes (all stopped on the way out)

process.once('exit', () => killAll());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    progress(`${sig}: stopping children`);
    killAll();
    cleanupTemp();
    process.exit(130);
  });
}

interface Receiver {
  name: string;
  label: string;
  port: number;
  storeDir: string;
  child: ChildProcess;
  stderrTail: () => string;
  /** /metrics of a durable (sync) receiver, for the wait breakdown. */
  healthPort?: number;
}

/** Publishing receivers: every event to Kafka on `brokers`, topic and write-ahead log of their own. */
interface KafkaVariant {
  brokers: string;
  topic: string;
  durability: 'sync' | 'async';
  spoolDir: string;
  /** Another build of the adapter CLI (BENCH_COMPARE_CLI). */
  cli?: string;
}

async function startReceiver(
  name: string,
  label: string,
  storeDir: string,
  eventsOut?: string,
  kafka?: KafkaVariant,
): Promise<Receiver> {
  const port = await freePort();
  mkdirSync(storeDir, { recursive: true });
  let child: ChildProcess;
  let healthPort: number | undefined;
  if (name === 'dcmtk') {
    child = spawn('storescp', ['--max-pdu', String(PDU), '-od', storeDir, String(port)], {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } else {
    const nodeArgs = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(CPU_PROF)] : [];
    const args = [...nodeArgs, kafka?.cli ?? cliPath, 'adapter', '--port', String(port), '--ae-title', AE];
    args.push('--store-dir', storeDir);
    if (eventsOut) args.push('--events-out', eventsOut);
    // The adapter alone (Kafka's cost is publish.bench.ts): no KAFKA_BROKERS from `npm run bench`'s set-up,
    // which would also make both receivers share the default spool directory.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DICOM_MAX_PDU: String(PDU),
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
    };
    delete env['KAFKA_BROKERS'];
    if (kafka)
      Object.assign(env, {
        KAFKA_BROKERS: kafka.brokers,
        EVENTS_TOPIC: kafka.topic,
        AUDIT_DURABILITY: kafka.durability,
        SPOOL_DIR: kafka.spoolDir,
      });
    if (kafka?.durability === 'sync') {
      healthPort = await freePort();
      env['HEALTH_PORT'] = String(healthPort);
    }
    child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  }
  track(child);
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    tail = (tail + d).slice(-4000);
  });
  await waitListening(port, child, label);
  return {
    name,
    label,
    port,
    storeDir,
    child,
    stderrTail: () => tail,
    ...(healthPort !== undefined ? { healthPort } : {}),
  };
}

async function stopReceiver(r: Receiver): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------- memory of a process

function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Polls VmRSS every 50 ms; `stop()` returns the peak in MB. */
function pollRss(pid: number): { stop: () => number } {
  let peakKb = procStatusKb(pid, 'VmRSS') ?? 0;
  const t = setInterval(() => {
    const kb = procStatusKb(pid, 'VmRSS');
    if (kb !== undefined && kb > peakKb) peakKb = kb;
  }, 50);
  return {
    stop: () => {
      clearInterval(t);
      const kb = procStatusKb(pid, 'VmRSS');
      if (kb !== undefined && kb > peakKb) peakKb = kb;
      return peakKb / 1024;
    },
  };
}

// ---------------------------------------------------------------- files

let tempRoot: string | undefined;

function cleanupTemp(): void {
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = undefined;
}

interface DataSet {
  name: 'small' | 'large';
  dir: string;
  count: number;
  bytes: number;
}

function makeData(root: string, name: DataSet['name'], count: number, pixelBytes: number): DataSet {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  const studyUid = uid();
  const series = Array.from({ length: Math.max(1, Math.ceil(count / 100)) }, () => uid());
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `${name}${String(i).padStart(5, '0')}.dcm`);
    writeInstance(file, {
      transferSyntax: EXPLICIT_LE,
      pixelBytes,
      patientId: `PID-${i % 10}`,
      studyUid,
      seriesUid: series[Math.floor(i / 100)]!,
    });
    bytes += statSync(file).size;
  }
  return { name, dir, count, bytes };
}

// ---------------------------------------------------------------- measurements

interface StoreRound {
  seconds: number;
  peakRssMb?: number;
  /** Small rounds: median µs of a file creation in the folder the receiver filed its instances in, just after. */
  createUs?: number;
  breakdown?: RoundBreakdown;
}

/** Runs `work` (taking `seconds`) and the receiver's wait breakdown over it, per operation (sync receivers). */
async function measured<T extends { seconds: number }>(
  r: Receiver,
  operations: number,
  work: () => Promise<T>,
): Promise<T & { breakdown?: RoundBreakdown }> {
  const before = r.healthPort ? await readCounters(r.healthPort) : undefined;
  const out = await work();
  const after = r.healthPort ? await readCounters(r.healthPort) : undefined;
  return before && after ? { ...out, breakdown: perOperation(before, after, operations, out.seconds) } : out;
}

async function storeRound(r: Receiver, data: DataSet, watchRss: boolean): Promise<StoreRound> {
  emptyDir(r.storeDir);
  const rss = watchRss && r.child.pid ? pollRss(r.child.pid) : undefined;
  // One association for all files (+sd scans the directory); storescu's default proposal (no -R),
  // the same for both receivers.
  const res = await runTool('storescu', ['-aec', AE, '+sd', '127.0.0.1', String(r.port), data.dir]);
  const peakRssMb = rss?.stop();
  if (res.code !== 0)
    throw new Error(
      `storescu → ${r.label} (${data.name}) exited ${res.code ?? res.signal}: ${res.stderr.slice(-1500)}\n` +
        `receiver stderr: ${r.stderrTail()}`,
    );
  const stored = countFiles(r.storeDir);
  if (stored !== data.count)
    throw new Error(`${r.label} stored ${stored} of ${data.count} ${data.name} instances`);
  const filedIn = data.name === 'small' ? folderOfAFile(r.storeDir) : undefined;
  const createUs = filedIn ? fileCreationCost(filedIn, 100) : undefined;
  emptyDir(r.storeDir);
  return {
    seconds: res.seconds,
    ...(peakRssMb !== undefined ? { peakRssMb } : {}),
    ...(createUs !== undefined ? { createUs } : {}),
  };
}

/** The folder of the first instance file found under `dir` (storescp's own folder, our `<study>/<series>`). */
function folderOfAFile(dir: string): string | undefined {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && !e.name.startsWith('.')) return dir;
  }
  for (const e of readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory() && !e.name.startsWith('.')) {
      const found = folderOfAFile(path.join(dir, e.name));
      if (found) return found;
    }
  return undefined;
}

async function echoRun(r: Receiver, repeat: number): Promise<number> {
  const res = await runTool('echoscu', ['-aec', AE, '--repeat', String(repeat), '127.0.0.1', String(r.port)]);
  if (res.code !== 0)
    throw new Error(`echoscu --repeat ${repeat} → ${r.label} exited ${res.code}: ${res.stderr.slice(-1500)}`);
  return res.seconds;
}

interface StoreSummary {
  rounds_s: number[];
  median_s: number;
  instances_per_s: number;
  mb_per_s: number;
  peak_rss_mb?: number[];
  peak_rss_mb_max?: number;
  /** Median over the rounds of a file creation's µs in the folder this receiver filed in (small instances). */
  file_creation_us?: number;
}

function summarise(data: DataSet, rounds: StoreRound[]): StoreSummary {
  const secs = rounds.map((x) => x.seconds);
  const m = median(secs);
  const s: StoreSummary = {
    rounds_s: secs.map((x) => round(x, 3)),
    median_s: round(m, 3),
    instances_per_s: round(data.count / m, 1),
    mb_per_s: round(data.bytes / 1e6 / m, 1),
  };
  const rss = rounds.map((x) => x.peakRssMb).filter((x): x is number => x !== undefined);
  if (rss.length) {
    s.peak_rss_mb = rss.map((x) => round(x, 1));
    s.peak_rss_mb_max = round(Math.max(...rss), 1);
  }
  const creates = rounds.map((x) => x.createUs).filter((x): x is number => x !== undefined);
  if (creates.length) s.file_creation_us = round(median(creates), 1);
  return s;
}

/** Median over rounds of (ours in round i) / (dcmtk in round i): the paired ratio, robust to slow phases. */
function pairedRatio(ours: StoreRound[], dcmtk: StoreRound[]): number {
  return median(ours.map((o, i) => dcmtk[i]!.seconds / o.seconds));
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const t0 = performance.now();
  for (const tool of ['storescu', 'storescp', 'echoscu']) {
    const r = await runTool(tool, ['--version']).catch(() => undefined);
    if (r?.code !== 0) throw new Error(`${tool} not found: install dcmtk (apt-get install dcmtk)`);
  }
  const dcmtkVersion = (await versionLine('storescp')) ?? 'unknown';
  const root = mkdtempSync(path.join(process.env['BENCH_TMP'] ?? os.tmpdir(), 'dt-bench-'));
  tempRoot = root;
  progress(
    `temp dir ${root}; generating ${SMALL_COUNT} × ~10 KB and ${LARGE_COUNT} × ~${LARGE_MB} MB instances`,
  );
  const small = makeData(root, 'small', SMALL_COUNT, 10_000 - 600);
  const large = makeData(root, 'large', LARGE_COUNT, LARGE_MB * 1_000_000 - 600);
  progress(
    `data: small ${small.count} files ${(small.bytes / 1e6).toFixed(1)} MB, large ${large.count} files ` +
      `${(large.bytes / 1e6).toFixed(0)} MB (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );

  const folderCosts: StoreFolderCosts[] = [storeFolderCosts(root)];
  progress(
    `store folder: file creation ${folderCosts[0]!.create_us} µs, fdatasync ${folderCosts[0]!.fdatasync_us} µs (medians)`,
  );
  const receivers: Receiver[] = [];
  const brokers = process.env['BENCH_NO_KAFKA'] ? undefined : await benchBroker();
  const topics: string[] = [];
  try {
    receivers.push(await startReceiver('ours', 'dicomtrail', path.join(root, 'out-ours')));
    receivers.push(await startReceiver('dcmtk', 'storescp', path.join(root, 'out-dcmtk')));
    if (!process.env['BENCH_NO_EVENTS_VARIANT'])
      receivers.push(
        await startReceiver(
          'ours_events',
          'dicomtrail +events',
          path.join(root, 'out-ours-ev'),
          path.join(root, 'events.jsonl'),
        ),
      );
    if (brokers)
      for (const durability of ['sync', 'async'] as const) {
        const topic = `dicomtrail.bench.scp.${durability}.${Date.now().toString(36)}`;
        topics.push(topic);
        receivers.push(
          await startReceiver(
            `ours_kafka_${durability}`,
            `dicomtrail +Kafka ${durability}`,
            path.join(root, `out-ours-kafka-${durability}`),
            undefined,
            { brokers, topic, durability, spoolDir: path.join(root, `wal-${durability}`) },
          ),
        );
      }
    else progress('no broker (or BENCH_NO_KAFKA): the Kafka variants are left out');
    const compareCli = process.env['BENCH_COMPARE_CLI'];
    if (brokers && compareCli) {
      const topic = `dicomtrail.bench.scp.compare.${Date.now().toString(36)}`;
      topics.push(topic);
      const cli = path.resolve(compareCli);
      receivers.push(
        await startReceiver(
          'ours_kafka_sync_compare',
          'dicomtrail +Kafka sync (BENCH_COMPARE_CLI)',
          path.join(root, 'out-compare'),
          undefined,
          {
            brokers,
            topic,
            durability: 'sync',
            spoolDir: path.join(root, 'wal-compare'),
            cli,
          },
        ),
      );
    }

    const store: Record<string, Record<string, StoreRound[]>> = { small: {}, large: {} };
    for (const data of [small, large]) {
      for (const r of receivers) {
        const w = await storeRound(r, data, false);
        progress(`${data.name} warm-up ${r.label}: ${w.seconds.toFixed(3)} s`);
      }
      for (let i = 1; i <= ROUNDS; i++) {
        for (const r of rotate(receivers, i - 1)) {
          // Flush the previous round's dirty pages so its disk writeback does not land on this one.
          await runTool('sync', []);
          const res = await measured(r, data.count, () => storeRound(r, data, data.name === 'large'));
          const list = store[data.name]![r.name] ?? [];
          list.push(res);
          store[data.name]![r.name] = list;
          const rate = data.count / res.seconds;
          progress(
            `${data.name} round ${i}/${ROUNDS} ${r.label}: ${res.seconds.toFixed(3)} s, ${rate.toFixed(1)} inst/s, ` +
              `${(data.bytes / 1e6 / res.seconds).toFixed(1)} MB/s` +
              (res.peakRssMb !== undefined ? `, peak RSS ${res.peakRssMb.toFixed(0)} MB` : ''),
          );
        }
      }
    }

    const echo: Record<string, { low: number[]; high: number[]; breakdown: RoundBreakdown[] }> = {};
    for (const r of receivers) await echoRun(r, ECHO_LOW); // warm-up
    for (let i = 1; i <= ROUNDS; i++) {
      for (const r of rotate(receivers, i - 1)) {
        const low = await echoRun(r, ECHO_LOW);
        const hi = await measured(r, ECHO_HIGH, async () => ({ seconds: await echoRun(r, ECHO_HIGH) }));
        const high = hi.seconds;
        const e = echo[r.name] ?? { low: [], high: [], breakdown: [] };
        echo[r.name] = e;
        e.low.push(low);
        e.high.push(high);
        if (hi.breakdown) e.breakdown.push(hi.breakdown);
        progress(
          `echo round ${i}/${ROUNDS} ${r.label}: ${ECHO_HIGH} echoes ${high.toFixed(3)} s, ` +
            `${ECHO_LOW} echoes ${low.toFixed(3)} s`,
        );
      }
    }

    const hwm: Record<string, number | undefined> = {};
    for (const r of receivers) {
      const kb = r.child.pid ? procStatusKb(r.child.pid, 'VmHWM') : undefined;
      hwm[r.name] = kb === undefined ? undefined : round(kb / 1024, 1);
    }

    // ------------------------------------------------------------ report
    const names = receivers.map((r) => r.name);
    const label = Object.fromEntries(receivers.map((r) => [r.name, r.label]));
    const sum = {
      small: Object.fromEntries(names.map((n) => [n, summarise(small, store['small']![n]!)])),
      large: Object.fromEntries(names.map((n) => [n, summarise(large, store['large']![n]!)])),
    };
    const echoSum = Object.fromEntries(
      names.map((n) => {
        const hi = median(echo[n]!.high);
        const lo = median(echo[n]!.low);
        return [
          n,
          {
            rounds_high_s: echo[n]!.high.map((x) => round(x, 3)),
            rounds_low_s: echo[n]!.low.map((x) => round(x, 3)),
            median_high_s: round(hi, 3),
            echoes_per_s_incl_process: round(ECHO_HIGH / hi, 0),
            /** (high − low) echoes / (t_high − t_low): process start and association set-up cancel out. */
            echoes_per_s_marginal: round((ECHO_HIGH - ECHO_LOW) / Math.max(1e-6, hi - lo), 0),
            /** The same per round, so that a round's ratio compares receivers measured side by side. */
            rounds_marginal_per_s: echo[n]!.high.map((h, k) =>
              round((ECHO_HIGH - ECHO_LOW) / Math.max(1e-6, h - echo[n]!.low[k]!), 0),
            ),
          },
        ];
      }),
    );
    const ratio = (a: number, b: number): number => round(a / b, 2);
    const ours = 'ours';
    const smallRatio = ratio(sum.small[ours]!.instances_per_s, sum.small['dcmtk']!.instances_per_s);
    const largeRatio = ratio(sum.large[ours]!.mb_per_s, sum.large['dcmtk']!.mb_per_s);
    const largeRss = sum.large[ours]!.peak_rss_mb_max ?? Number.NaN;
    const paired = Object.fromEntries(
      (['small', 'large'] as const).map((d) => [
        d,
        Object.fromEntries(names.map((n) => [n, round(pairedRatio(store[d]![n]!, store[d]!['dcmtk']!), 2)])),
      ]),
    ) as Record<'small' | 'large', Record<string, number>>;
    const targets = {
      small_ratio: {
        target: `>= ${TARGETS.smallRatio}`,
        value: smallRatio,
        met: smallRatio >= TARGETS.smallRatio,
      },
      large_ratio: {
        target: `>= ${TARGETS.largeRatio}`,
        value: largeRatio,
        met: largeRatio >= TARGETS.largeRatio,
      },
      large_peak_rss_mb: {
        target: `< ${TARGETS.largePeakRssMb}`,
        value: largeRss,
        met: largeRss < TARGETS.largePeakRssMb,
      },
    };

    const lines: string[] = [];
    lines.push(
      `### dicomtrail adapter vs DCMTK storescp (storescu sender, loopback, max PDU ${PDU}, ` +
        `median of ${ROUNDS} interleaved rounds)`,
      '',
      '| Case | Receiver | median s | inst/s | MB/s | ratio to storescp (of medians) | paired ratio (median of per-round) | peak RSS MB | file creation µs in its folder |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const data of [small, large]) {
      const caseName =
        data.name === 'small'
          ? `(a) ${data.count} × ${(data.bytes / data.count / 1000).toFixed(1)} KB`
          : `(b) ${data.count} × ${(data.bytes / data.count / 1e6).toFixed(1)} MB`;
      for (const n of names) {
        const s = sum[data.name][n]!;
        const base = sum[data.name]['dcmtk']!;
        const rt =
          data.name === 'small' ? s.instances_per_s / base.instances_per_s : s.mb_per_s / base.mb_per_s;
        lines.push(
          `| ${caseName} | ${label[n]} | ${s.median_s.toFixed(3)} | ${s.instances_per_s.toFixed(1)} | ` +
            `${s.mb_per_s.toFixed(1)} | ${rt.toFixed(2)} | ${paired[data.name][n]!.toFixed(2)} | ` +
            `${s.peak_rss_mb_max?.toFixed(0) ?? '—'} | ${s.file_creation_us?.toFixed(1) ?? '—'} |`,
        );
      }
    }
    lines.push(
      '',
      `| C-ECHO, one association | median s for ${ECHO_HIGH} | echo/s incl. process start | ` +
        `echo/s marginal (${ECHO_HIGH}−${ECHO_LOW}) | ratio to storescp (marginal) | paired ratio (median of per-round) |`,
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const n of names) {
      const e = echoSum[n]!;
      lines.push(
        `| ${label[n]} | ${e.median_high_s.toFixed(3)} | ${e.echoes_per_s_incl_process} | ` +
          `${e.echoes_per_s_marginal} | ${(e.echoes_per_s_marginal / echoSum['dcmtk']!.echoes_per_s_marginal).toFixed(2)} | ` +
          `${median(e.rounds_marginal_per_s.map((m, k) => m / echoSum['dcmtk']!.rounds_marginal_per_s[k]!)).toFixed(2)} |`,
      );
    }
    const durable = receivers.filter((r) => r.healthPort !== undefined);
    const breakdownRows = durable.flatMap((r) => [
      ...[small, large].map((data) => ({
        label: `${data.name === 'small' ? '(a)' : '(b)'} ${data.count} × C-STORE, ${label[r.name]}`,
        rounds: store[data.name]![r.name]!.flatMap((x) => (x.breakdown ? [x.breakdown] : [])),
      })),
      { label: `${ECHO_HIGH} × C-ECHO, ${label[r.name]}`, rounds: echo[r.name]!.breakdown },
    ]);
    if (breakdownRows.some((b) => b.rounds.length > 0))
      lines.push(
        '',
        ...breakdownTable(breakdownRows),
        '',
        'Per acknowledged operation (an instance stored, an echo answered), medians over the rounds, from the ' +
          "adapter's own counters: events written, answers that waited for their events to be durable, " +
          "writes of the events to the log without a sync (a C-STORE's request, before its instance is filed), " +
          "fdatasyncs on the answers' path; the envelope is encoded and appended on the DICOM thread, so no " +
          'thread hop lies between an event and its record, nor between an answer and its fdatasync.',
      );
    folderCosts.push(storeFolderCosts(root));
    const echoRatio = (n: string): number | undefined =>
      echoSum[n]
        ? ratio(echoSum[n].echoes_per_s_marginal, echoSum['dcmtk']!.echoes_per_s_marginal)
        : undefined;
    const smallOf = (n: string): number | undefined =>
      sum.small[n] ? ratio(sum.small[n].instances_per_s, sum.small['dcmtk']!.instances_per_s) : undefined;
    const largeOf = (n: string): number | undefined =>
      sum.large[n] ? ratio(sum.large[n].mb_per_s, sum.large['dcmtk']!.mb_per_s) : undefined;
    const wireSpeed = [
      {
        what: '(a) events off, inst/s',
        value: smallOf(ours),
        paired: paired.small[ours],
        target: WIRE_SPEED.eventsOffSmall,
      },
      {
        what: '(a) every event to Kafka, sync, inst/s',
        value: smallOf('ours_kafka_sync'),
        paired: paired.small['ours_kafka_sync'],
        target: WIRE_SPEED.kafkaSyncSmall,
      },
      {
        what: '(b) every event to Kafka, sync, MB/s',
        value: largeOf('ours_kafka_sync'),
        paired: paired.large['ours_kafka_sync'],
        target: WIRE_SPEED.recordedLarge,
      },
      {
        what: '(b) every event to JSONL, MB/s',
        value: largeOf('ours_events'),
        paired: paired.large['ours_events'],
        target: WIRE_SPEED.recordedLarge,
      },
      {
        what: 'C-ECHO marginal, events off',
        value: echoRatio(ours),
        paired: undefined,
        target: WIRE_SPEED.echoMarginal,
      },
    ].filter((w) => w.value !== undefined);
    const [before, after] = folderCosts as [StoreFolderCosts, StoreFolderCosts];
    lines.push(
      '',
      '| Wire-speed target (issue 17), ratio to storescp | of medians | paired | target | met |',
      '| --- | --- | --- | --- | --- |',
      ...wireSpeed.map(
        (w) =>
          `| ${w.what} | ${w.value!.toFixed(2)} | ${w.paired?.toFixed(2) ?? '—'} | ≥ ${w.target.toFixed(2)} | ` +
          `${w.value! >= w.target ? 'yes' : '**no**'} |`,
      ),
      '',
      `The store folder's file system (${root}), measured before and after the rounds: creating a file ` +
        `${before.create_us} / ${after.create_us} µs (median of ${before.files} O_CREAT|O_EXCL opens: both ` +
        `receivers pay it per instance), an fdatasync ${before.fdatasync_us} / ${after.fdatasync_us} µs (median of ` +
        `${before.syncs} 1.5 KB writes into a preallocated file: a sync receiver pays it per answer). The dearer ` +
        'a file creation, the more both receivers wait on the kernel and the nearer 1 every small-instance ratio.',
    );
    lines.push(
      '',
      '| Target | value | met |',
      '| --- | --- | --- |',
      `| (a) inst/s ratio ≥ ${TARGETS.smallRatio} | ${smallRatio.toFixed(2)} | ${targets.small_ratio.met ? 'yes' : '**no**'} |`,
      `| (b) MB/s ratio ≥ ${TARGETS.largeRatio} | ${largeRatio.toFixed(2)} | ${targets.large_ratio.met ? 'yes' : '**no**'} |`,
      `| (b) our peak RSS < ${TARGETS.largePeakRssMb} MB | ${largeRss.toFixed(0)} | ${targets.large_peak_rss_mb.met ? 'yes' : '**no**'} |`,
      '',
      `Peak RSS: VmRSS polled every 50 ms during each (b) round; VmHWM over the whole run: ` +
        names.map((n) => `${label[n]} ${hwm[n] ?? '?'} MB`).join(', ') +
        '. Times are storescu wall clock (process start, directory scan, negotiation included, same for both).',
    );
    process.stdout.write(`${lines.join('\n')}\n`);

    const outDir = path.join(repoRoot, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const result = {
      bench: 'adapter-storescp',
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model ?? 'unknown',
        mem_gb: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
        dcmtk: dcmtkVersion,
      },
      setup: {
        rounds: ROUNDS,
        warmup_rounds: 1,
        order: `${receivers.map((r) => r.label).join(', ')}; rotated by one each round; sync(1) before each store round`,
        max_pdu: PDU,
        sender:
          'TCP_NODELAY=1 storescu -aec DICOMTRAIL +sd 127.0.0.1 PORT DIR (default proposal, one association)',
        receivers: {
          ours: 'node services/adapter/dist/src/cli.js adapter --port P --ae-title DICOMTRAIL --store-dir D (DICOM_MAX_PDU, LOG_LEVEL=warn)',
          ours_events: 'same + --events-out FILE',
          ours_kafka_sync: 'same + KAFKA_BROKERS, AUDIT_DURABILITY=sync, SPOOL_DIR under BENCH_TMP',
          ours_kafka_async: 'same + KAFKA_BROKERS, AUDIT_DURABILITY=async',
          dcmtk: 'TCP_NODELAY=1 storescp --max-pdu PDU -od D P',
        },
        store_root: root,
        cpu_prof: CPU_PROF ?? null,
      },
      data: {
        small: { count: small.count, bytes: small.bytes },
        large: { count: large.count, bytes: large.bytes },
      },
      store: sum,
      echo: { repeat_high: ECHO_HIGH, repeat_low: ECHO_LOW, ...echoSum },
      durability_breakdown: breakdownRows,
      vm_hwm_mb: hwm,
      store_folder: folderCosts,
      wire_speed: wireSpeed,
      ratios: { small_inst_per_s: smallRatio, large_mb_per_s: largeRatio, paired },
      targets,
      total_seconds: round((performance.now() - t0) / 1000, 1),
    };
    const outFile = path.join(outDir, 'adapter-storescp.json');
    writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    progress(`wrote ${path.relative(process.cwd(), outFile) || outFile}; total ${result.total_seconds} s`);
  } finally {
    for (const r of receivers) await stopReceiver(r).catch(() => undefined);
    killAll();
    cleanupTemp();
    if (brokers) await deleteTopics(brokers, topics);
  }
}

async function versionLine(tool: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const c = track(spawn(tool, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    let out = '';
    c.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.once('error', () => resolve(undefined));
    c.once('close', () => resolve(/v\d+\.\d+\.\d+/.exec(out)?.[0]));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  killAll();
  cleanupTemp();
  process.exitCode = 1;
});
