/**
 * What an event costs in CPU, all adapter threads together. DCMTK's storescu sends 2,000 instances of ~10 KB
 * over one association to the adapter CLI (a separate process) in three set-ups, interleaved, the order rotating
 * each round after one warm-up of each: events off; every event to a JSONL file (`--events-out`); every event
 * to Kafka (AUDIT_DURABILITY=sync, a topic of its own, deleted at the end; only when a broker answers).
 *
 * Per run the adapter's CPU (user + system, every thread, /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat)
 * is read before storescu starts and once the adapter is idle after it ends. Per event, on average:
 * (CPU with events - CPU without) / events of the run. Per type, the run's real events (read back from the
 * JSONL file) are put through what each costs in isolation: the params' PDU hash (EVT_DATA_*, the one costly
 * build), the structured clone that hands an event to the envelope thread, and the envelope: built,
 * schema-checked (shown apart: consumers validate too) and serialised (sinks/envelope-encoder.ts).
 *
 * Knobs: BENCH_ROUNDS (5), BENCH_SMALL_COUNT (2000), BENCH_NO_KAFKA=1, BENCH_TMP (os.tmpdir()).
 * Run alone: `npm run build && node services/adapter/dist/bench/event-cpu.bench.js`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isEvent } from '@dicomtrail/schemas';
import type { AdapterEvent } from '../src/association/types.js';
import { resolveHere } from '../src/dataset/deferred-dicom-json.js';
import { toEnvelope } from '../src/events/envelope.js';
import { encodeEnvelope } from '../src/sinks/envelope-encoder.js';
import { EXPLICIT_LE, uid, writeInstance } from '../test/support/instances.js';
import {
  adapterCliPath,
  benchBroker,
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

const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const COUNT = intEnv('BENCH_SMALL_COUNT', 2000);
const AE = 'DICOMTRAIL';
const TICK_US = 1_000_000 / 100; // USER_HZ: /proc reports CPU in 1/100 s on Linux
const TARGET_US = 10;
const NODE = { id: 'bench', hostname: os.hostname(), version: '0', mode: 'scp' as const };

process.once('exit', () => killAll());

type Variant = 'off' | 'jsonl' | 'kafka';

interface Receiver {
  variant: Variant;
  port: number;
  storeDir: string;
  eventsOut?: string;
  child: ChildProcess;
}

async function startReceiver(
  root: string,
  variant: Variant,
  brokers?: string,
  topic?: string,
): Promise<Receiver> {
  const port = await freePort();
  const storeDir = path.join(root, `store-${variant}`);
  mkdirSync(storeDir, { recursive: true });
  const args = [adapterCliPath, 'adapter', '--port', String(port), '--ae-title', AE, '--store-dir', storeDir];
  const eventsOut = variant === 'jsonl' ? path.join(root, 'events.jsonl') : undefined;
  if (eventsOut) args.push('--events-out', eventsOut);
  const env: NodeJS.ProcessEnv = { ...process.env, DICOM_MAX_PDU: '65536', LOG_LEVEL: 'warn' };
  delete env['KAFKA_BROKERS'];
  if (variant === 'kafka')
    Object.assign(env, {
      KAFKA_BROKERS: brokers,
      EVENTS_TOPIC: topic,
      AUDIT_DURABILITY: 'sync',
      SPOOL_DIR: path.join(root, 'spool'),
    });
  const child = track(spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  await waitListening(port, child, variant);
  return { variant, port, storeDir, child, ...(eventsOut ? { eventsOut } : {}) };
}

// ---------------------------------------------------------------- CPU of a process, per thread

/** utime + stime in clock ticks from a /proc stat line (fields after the parenthesised comm). */
function ticks(statLine: string): { comm: string; ticks: number } {
  const close = statLine.lastIndexOf(')');
  const comm = statLine.slice(statLine.indexOf('(') + 1, close);
  const f = statLine.slice(close + 2).split(' ');
  return { comm, ticks: Number(f[11]) + Number(f[12]) };
}

interface CpuSample {
  total: number;
  threads: Map<string, number>;
}

function cpuOf(pid: number): CpuSample {
  const total = ticks(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks;
  const threads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const t = ticks(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      const name = tid === String(pid) ? 'main (DICOM)' : t.comm;
      threads.set(name, (threads.get(name) ?? 0) + t.ticks);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return { total, threads };
}

/** Waits until the process used no CPU for 300 ms (queued events written), at most 10 s. */
async function idle(pid: number): Promise<CpuSample> {
  let last = cpuOf(pid);
  for (let quiet = 0, waited = 0; quiet < 3 && waited < 100; waited++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = cpuOf(pid);
    quiet = now.total === last.total ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

interface RunCpu {
  us: number;
  threads: Map<string, number>;
  counts?: Map<string, number>;
  events?: AdapterEvent[];
}

async function run(r: Receiver, dataDir: string): Promise<RunCpu> {
  emptyDir(r.storeDir);
  const from = r.eventsOut ? safeSize(r.eventsOut) : 0;
  const pid = r.child.pid!;
  const before = await idle(pid);
  const res = await runTool('storescu', ['-aec', AE, '+sd', '127.0.0.1', String(r.port), dataDir]);
  if (res.code !== 0)
    throw new Error(`storescu → ${r.variant} exited ${res.code}: ${res.stderr.slice(-800)}`);
  const after = await idle(pid);
  const threads = new Map<string, number>();
  for (const [k, v] of after.threads) threads.set(k, (v - (before.threads.get(k) ?? 0)) * TICK_US);
  const out: RunCpu = { us: (after.total - before.total) * TICK_US, threads };
  if (r.eventsOut) Object.assign(out, readEvents(r.eventsOut, from));
  return out;
}

function safeSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The events a run appended to the JSONL file, as the adapter held them before their envelope. */
function readEvents(file: string, from: number): { counts: Map<string, number>; events: AdapterEvent[] } {
  const text = readFileSync(file).subarray(from).toString('utf8');
  const counts = new Map<string, number>();
  const events: AdapterEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as AdapterEvent & { association?: AdapterEvent['association'] };
    if (!e.association) continue; // node-scoped events
    counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    events.push({
      type: e.type,
      timestamp: e.timestamp,
      seq: e.seq,
      association: e.association,
      params: e.params,
    });
  }
  return { counts, events };
}

// ---------------------------------------------------------------- per type, in isolation

/**
 * CPU µs per call of `fn` over `items` (this thread's user + system time, so a loaded machine's waits do not
 * count), repeated for at least 50 ms of CPU; the median of 5 such.
 */
function microUs<T>(items: readonly T[], fn: (x: T) => unknown): number {
  const times: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    let n = 0;
    const t0 = process.cpuUsage();
    let used = 0;
    while (used < 50_000) {
      for (const x of items) fn(x);
      n += items.length;
      const d = process.cpuUsage(t0);
      used = d.user + d.system;
    }
    times.push(used / n);
  }
  return median(times);
}

interface TypeCost {
  type: string;
  perRun: number;
  build: number;
  clone: number;
  envelope: number;
  schemaCheck: number;
}

function perType(events: readonly AdapterEvent[], counts: Map<string, number>): TypeCost[] {
  const byType = new Map<string, AdapterEvent[]>();
  for (const e of events) {
    const list = byType.get(e.type) ?? [];
    if (list.length < 200) list.push(e);
    byType.set(e.type, list);
  }
  const out: TypeCost[] = [];
  for (const [type, sample] of byType) {
    // The params build that costs: sha256 of the whole PDU (EVT_DATA_RECV/SENT that carry one), real lengths;
    // averaged over the type's events.
    const hashed = sample.filter((e) => type.startsWith('EVT_DATA_') && e.params['sha256'] !== undefined);
    const pdus =
      hashed.length > 0 ? hashed.map((e) => randomBytes(Number(e.params['length'] ?? 0))) : undefined;
    const build = pdus
      ? (microUs(pdus, (b) => createHash('sha256').update(b).digest('hex')) * hashed.length) / sample.length
      : 0;
    const clone = microUs(sample, (e) => structuredClone(e));
    const envelope = microUs(sample, (e) => encodeEnvelope(e, NODE, resolveHere));
    const envelopes = sample.map((e) => toEnvelope(e, NODE));
    const schemaCheck = microUs(envelopes, (e) => isEvent(e));
    out.push({ type, perRun: counts.get(type) ?? 0, build, clone, envelope, schemaCheck });
  }
  return out.sort(
    (a, b) => b.perRun * (b.build + b.clone + b.envelope) - a.perRun * (a.build + a.clone + a.envelope),
  );
}

// ---------------------------------------------------------------- main

function makeData(root: string): string {
  const dir = path.join(root, 'small');
  mkdirSync(dir, { recursive: true });
  const studyUid = uid();
  const series = Array.from({ length: Math.ceil(COUNT / 100) }, () => uid());
  for (let i = 0; i < COUNT; i++)
    writeInstance(path.join(dir, `small${String(i).padStart(5, '0')}.dcm`), {
      transferSyntax: EXPLICIT_LE,
      pixelBytes: 10_000 - 600,
      patientId: `PID-${i % 10}`,
      studyUid,
      seriesUid: series[Math.floor(i / 100)]!,
    });
  return dir;
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(process.env['BENCH_TMP'] ?? os.tmpdir(), 'dt-event-cpu-'));
  const topic = `dicomtrail.bench.event-cpu.${process.pid}`;
  const brokers = process.env['BENCH_NO_KAFKA'] ? undefined : await benchBroker();
  const receivers: Receiver[] = [];
  try {
    const dataDir = makeData(root);
    receivers.push(await startReceiver(root, 'off'), await startReceiver(root, 'jsonl'));
    if (brokers) receivers.push(await startReceiver(root, 'kafka', brokers, topic));
    const results = new Map<Variant, RunCpu[]>(receivers.map((r) => [r.variant, []]));
    for (const r of receivers) await run(r, dataDir); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const r of rotate(receivers, round)) results.get(r.variant)!.push(await run(r, dataDir));
      progress(
        `round ${round + 1}/${ROUNDS}: ${receivers.map((r) => `${r.variant} ${round1(results.get(r.variant)!.at(-1)!.us / 1000)} ms`).join(', ')}`,
      );
    }
    report(results, receivers);
  } finally {
    for (const r of receivers) r.child.kill('SIGTERM');
    if (brokers) await deleteTopics(brokers, [topic]).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}

function round1(x: number): number {
  return round(x, 1);
}

function report(results: Map<Variant, RunCpu[]>, receivers: readonly Receiver[]): void {
  const jsonl = results.get('jsonl')!;
  const last = jsonl.at(-1)!;
  const events = [...last.counts!.values()].reduce((a, b) => a + b, 0);
  const offUs = median(results.get('off')!.map((r) => r.us));
  const lines: string[] = [];
  lines.push(`### CPU per event: storescu, ${COUNT} × 10 KB, one association, ${ROUNDS} interleaved rounds`);
  lines.push('');
  lines.push(
    `${events} events per run (${round1(events / COUNT)} per instance). Medians; CPU of every adapter thread.`,
  );
  lines.push('');
  lines.push('| adapter | CPU per run (ms) | per instance (µs) | per event, over events off (µs) | target |');
  lines.push('| --- | ---: | ---: | ---: | --- |');
  const json: Record<string, unknown> = { count: COUNT, rounds: ROUNDS, events_per_run: events };
  for (const r of receivers) {
    const us = median(results.get(r.variant)!.map((x) => x.us));
    const perEvent = r.variant === 'off' ? undefined : (us - offUs) / events;
    json[r.variant] = { cpu_ms: us / 1000, per_event_us: perEvent };
    lines.push(
      `| events ${r.variant === 'off' ? 'off' : `to ${r.variant === 'jsonl' ? 'JSONL' : 'Kafka (sync)'}`} | ${round1(us / 1000)} | ${round1(us / COUNT)} | ${perEvent === undefined ? '' : round(perEvent, 2)} | ${perEvent === undefined ? '' : perEvent <= TARGET_US ? `≤ ${TARGET_US}: met` : `≤ ${TARGET_US}: missed`} |`,
    );
  }
  lines.push('');
  lines.push('Per thread (ms per run, medians):');
  lines.push('');
  const names = [
    ...new Set(receivers.flatMap((r) => results.get(r.variant)!.flatMap((x) => [...x.threads.keys()]))),
  ];
  lines.push(`| thread | ${receivers.map((r) => r.variant).join(' | ')} |`);
  lines.push(`| --- | ${receivers.map(() => '---:').join(' | ')} |`);
  for (const n of names.sort()) {
    const cells = receivers.map((r) =>
      round1(median(results.get(r.variant)!.map((x) => x.threads.get(n) ?? 0)) / 1000),
    );
    if (cells.some((c) => c > 0)) lines.push(`| ${n} | ${cells.join(' | ')} |`);
  }
  const costs = perType(last.events!, last.counts!);
  lines.push('');
  lines.push(
    'Per type, in isolation on this run\'s own events (µs per event; "schema check" is part of "envelope"):',
  );
  lines.push('');
  lines.push(
    '| type | per run | build (PDU hash) | clone to thread | envelope + JSON | of it schema check | total | × per run (ms) |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  let sum = 0;
  for (const c of costs) {
    const total = c.build + c.clone + c.envelope;
    sum += total * c.perRun;
    lines.push(
      `| ${c.type} | ${c.perRun} | ${round(c.build, 2)} | ${round(c.clone, 2)} | ${round(c.envelope, 2)} | ${round(c.schemaCheck, 2)} | ${round(total, 2)} | ${round((total * c.perRun) / 1000, 1)} |`,
    );
  }
  lines.push(`| all | ${events} | | | | | ${round(sum / events, 2)} | ${round1(sum / 1000)} |`);
  json['per_type'] = costs;
  lines.push('');
  lines.push(
    `Machine: ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join('/')} at the end (figures on a loaded machine are floors).`,
  );
  console.log(lines.join('\n'));
  mkdirSync(path.join(repoRoot, 'bench-results'), { recursive: true });
  writeFileSync(
    path.join(repoRoot, 'bench-results', 'adapter-event-cpu.json'),
    `${JSON.stringify(json, null, 2)}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
