/**
 * What an event costs in CPU, all adapter threads together. DCMTK's storescu sends 2,000 instances of ~10 KB
 * over one association to the adapter CLI (a separate process) in three set-ups, interleaved, the order rotating
 * each round after one warm-up of each: events off; every event to a JSONL file (`--events-out`); every event
 * to Kafka (AUDIT_DURABILITY=sync, a topic of its own, deleted at the end; only when a broker answers).
 * BENCH_COMPARE_CLI=PATH adds the same three set-ups on another build's dist/src/cli.js (e.g. the code before a
 * change), in the same interleaved rounds.
 *
 * Per run the adapter's CPU (user + system, every thread, /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat)
 * is read before storescu starts and once the adapter is idle after it ends. Per event, on average:
 * (CPU with events - CPU without) / events of the run. Per type, the run's real events (read back from the
 * JSONL file) are put through what the adapter does with each, in isolation: the params' PDU hash (EVT_DATA_*,
 * the one costly build), the envelope's JSON text (events/envelope.ts `envelopeJson`, what every sink writes),
 * its bytes as the log record's value (AUDIT_DURABILITY=sync and JSONL do all of this on the DICOM thread), and,
 * for `async` only, the structured clone that hands an event to the envelope thread. The C-STORE's data set
 * header, decoded once for its EVT_DIMSE_RECV and EVT_C_STORE, is timed apart on the run's own instances. The
 * envelope as an object then JSON.stringify is shown beside `envelopeJson` for reference (the same text).
 *
 * Knobs: BENCH_ROUNDS (5), BENCH_SMALL_COUNT (2000), BENCH_NO_KAFKA=1, BENCH_TMP (os.tmpdir()), BENCH_COMPARE_CLI.
 * Run alone: `npm run build && node services/adapter/dist/bench/event-cpu.bench.js`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AdapterEvent } from '../src/association/types.js';
import { decodeDeferred } from '../src/dataset/deferred-dicom-json.js';
import { HeaderCondenser } from '../src/dataset/header-condenser.js';
import { readPart10 } from '../src/dataset/part10.js';
import { envelopeJson, toEnvelope } from '../src/events/envelope.js';
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
  /** The variant, and which build when BENCH_COMPARE_CLI adds another. */
  label: string;
  port: number;
  storeDir: string;
  eventsOut?: string;
  child: ChildProcess;
}

async function startReceiver(
  root: string,
  variant: Variant,
  build: { cli: string; label: string },
  brokers?: string,
  topic?: string,
): Promise<Receiver> {
  const port = await freePort();
  const label = build.label ? `${variant} (${build.label})` : variant;
  const dir = path.join(root, label.replace(/\W+/g, '-'));
  const storeDir = path.join(dir, 'store');
  mkdirSync(storeDir, { recursive: true });
  const args = [build.cli, 'adapter', '--port', String(port), '--ae-title', AE, '--store-dir', storeDir];
  const eventsOut = variant === 'jsonl' ? path.join(dir, 'events.jsonl') : undefined;
  if (eventsOut) args.push('--events-out', eventsOut);
  const env: NodeJS.ProcessEnv = { ...process.env, DICOM_MAX_PDU: '65536', LOG_LEVEL: 'warn' };
  delete env['KAFKA_BROKERS'];
  if (variant === 'kafka')
    Object.assign(env, {
      KAFKA_BROKERS: brokers,
      EVENTS_TOPIC: topic,
      AUDIT_DURABILITY: 'sync',
      SPOOL_DIR: path.join(dir, 'spool'),
    });
  const child = track(spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  await waitListening(port, child, label);
  return { variant, label, port, storeDir, child, ...(eventsOut ? { eventsOut } : {}) };
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
  if (res.code !== 0) throw new Error(`storescu → ${r.label} exited ${res.code}: ${res.stderr.slice(-800)}`);
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
  /** The params' PDU hash (EVT_DATA_* that carry one). */
  build: number;
  /** envelopeJson: the envelope's JSON text. */
  text: number;
  /** The text as the record's bytes. */
  bytes: number;
  /** For reference: the envelope object, then JSON.stringify (the same text). */
  objectText: number;
  /** AUDIT_DURABILITY=async only: the structured clone to the envelope thread. */
  clone: number;
}

/** What the DICOM thread spends on an event of the type with AUDIT_DURABILITY=sync or JSONL. */
const onDicomThread = (c: TypeCost): number => c.build + c.text + c.bytes;

function perType(events: readonly AdapterEvent[], counts: Map<string, number>): TypeCost[] {
  // The association metadata as the adapter holds it: one frozen object shared by an association's events
  // while nothing in it changes (events/association-events.ts), each lifecycle event a copy with the negotiation.
  const shared = new Map<string, AdapterEvent['association']>();
  const byType = new Map<string, AdapterEvent[]>();
  for (const read of events) {
    let association = read.association;
    if (association.negotiation === undefined) {
      const key = JSON.stringify(association);
      association =
        shared.get(key) ??
        Object.freeze({
          ...association,
          local: Object.freeze(association.local),
          remote: Object.freeze(association.remote),
        });
      shared.set(key, association);
    }
    // The operation's message id (its trace span) on the events that carry one.
    const e: AdapterEvent = {
      ...read,
      association,
      ...(read.type === 'EVT_C_STORE' ? { messageId: read.seq } : {}),
    };
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
    const text = microUs(sample, (e) => envelopeJson(e, NODE));
    const texts = sample.map((e) => envelopeJson(e, NODE));
    const bytes = microUs(texts, (t) => Buffer.from(t));
    const objectText = microUs(sample, (e) => JSON.stringify(toEnvelope(e, NODE)));
    const clone = microUs(sample, (e) => structuredClone(e));
    out.push({ type, perRun: counts.get(type) ?? 0, build, text, bytes, objectText, clone });
  }
  return out.sort((a, b) => b.perRun * onDicomThread(b) - a.perRun * onDicomThread(a));
}

/**
 * The C-STORE data set header as events carry it (association/store-receiver.ts): condensed while the bytes
 * pass, decoded to DICOM JSON when the first of its two events is encoded. µs per instance, on the run's files.
 */
function headerDecodeUs(dataDir: string): number {
  const headers = readdirSync(dataDir)
    .slice(0, 200)
    .map((f) => {
      const { datasetBytes, transferSyntaxUid } = readPart10(readFileSync(path.join(dataDir, f)));
      const condenser = new HeaderCondenser({ explicitVr: true, littleEndian: true });
      condenser.push(datasetBytes);
      const { bytes, elided } = condenser.result();
      return { bytes, transferSyntaxUid, elided };
    });
  return microUs(headers, (h) =>
    decodeDeferred(h.bytes, {
      transferSyntaxUid: h.transferSyntaxUid,
      bulkDataThreshold: 1024,
      untilTag: '7FE00010',
      elided: h.elided,
    }),
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
  const compareCli = process.env['BENCH_COMPARE_CLI'];
  const builds = [{ cli: adapterCliPath, label: compareCli ? 'this build' : '' }];
  if (compareCli) builds.push({ cli: path.resolve(compareCli), label: 'BENCH_COMPARE_CLI' });
  const topics = builds.map((_, i) => `${topic}.${i}`);
  const receivers: Receiver[] = [];
  try {
    const dataDir = makeData(root);
    for (const [i, build] of builds.entries()) {
      receivers.push(await startReceiver(root, 'off', build), await startReceiver(root, 'jsonl', build));
      if (brokers) receivers.push(await startReceiver(root, 'kafka', build, brokers, topics[i]));
    }
    const results = new Map<string, RunCpu[]>(receivers.map((r) => [r.label, []]));
    for (const r of receivers) await run(r, dataDir); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const r of rotate(receivers, round)) results.get(r.label)!.push(await run(r, dataDir));
      progress(
        `round ${round + 1}/${ROUNDS}: ${receivers.map((r) => `${r.label} ${round1(results.get(r.label)!.at(-1)!.us / 1000)} ms`).join(', ')}`,
      );
    }
    report(results, receivers, headerDecodeUs(dataDir));
  } finally {
    for (const r of receivers) r.child.kill('SIGTERM');
    if (brokers) await deleteTopics(brokers, topics).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}

function round1(x: number): number {
  return round(x, 1);
}

function report(results: Map<string, RunCpu[]>, receivers: readonly Receiver[], headerUs: number): void {
  const jsonlReceiver = receivers.find((r) => r.variant === 'jsonl')!;
  const last = results.get(jsonlReceiver.label)!.at(-1)!;
  const events = [...last.counts!.values()].reduce((a, b) => a + b, 0);
  /** The events-off run of the same build. */
  const offOf = (r: Receiver): number =>
    median(results.get(r.label.replace(r.variant, 'off'))!.map((x) => x.us));
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
    const us = median(results.get(r.label)!.map((x) => x.us));
    const perEvent = r.variant === 'off' ? undefined : (us - offOf(r)) / events;
    json[r.label] = { cpu_ms: us / 1000, per_event_us: perEvent };
    const name = r.variant === 'off' ? 'off' : `to ${r.variant === 'jsonl' ? 'JSONL' : 'Kafka (sync)'}`;
    const build = r.label === r.variant ? '' : r.label.slice(r.variant.length);
    lines.push(
      `| events ${name}${build} | ${round1(us / 1000)} | ${round1(us / COUNT)} | ${perEvent === undefined ? '' : round(perEvent, 2)} | ${perEvent === undefined ? '' : perEvent <= TARGET_US ? `≤ ${TARGET_US}: met` : `≤ ${TARGET_US}: missed`} |`,
    );
  }
  lines.push('');
  lines.push('Per thread (ms per run, medians):');
  lines.push('');
  const names = [
    ...new Set(receivers.flatMap((r) => results.get(r.label)!.flatMap((x) => [...x.threads.keys()]))),
  ];
  lines.push(`| thread | ${receivers.map((r) => r.label).join(' | ')} |`);
  lines.push(`| --- | ${receivers.map(() => '---:').join(' | ')} |`);
  for (const n of names.sort()) {
    const cells = receivers.map((r) =>
      round1(median(results.get(r.label)!.map((x) => x.threads.get(n) ?? 0)) / 1000),
    );
    if (cells.some((c) => c > 0)) lines.push(`| ${n} | ${cells.join(' | ')} |`);
  }
  const costs = perType(last.events!, last.counts!);
  const stores = last.counts!.get('EVT_C_STORE') ?? 0;
  lines.push('');
  lines.push(
    "Per type, in isolation on this run's own events (µs per event). AUDIT_DURABILITY=sync and JSONL spend " +
      '"build + text + bytes" on the DICOM thread; `async` spends the clone there instead and the text in the ' +
      'envelope thread:',
  );
  lines.push('');
  lines.push(
    '| type | per run | build (PDU hash) | envelope text | record bytes | DICOM thread (sync) | × per run (ms) | object + JSON.stringify (reference) | clone to thread (async) |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  let sum = 0;
  let sumObject = 0;
  for (const c of costs) {
    const total = onDicomThread(c);
    sum += total * c.perRun;
    sumObject += c.objectText * c.perRun;
    lines.push(
      `| ${c.type} | ${c.perRun} | ${round(c.build, 2)} | ${round(c.text, 2)} | ${round(c.bytes, 2)} | ${round(total, 2)} | ${round((total * c.perRun) / 1000, 1)} | ${round(c.objectText, 2)} | ${round(c.clone, 2)} |`,
    );
  }
  lines.push(
    `| C-STORE header decode (once per instance, for EVT_DIMSE_RECV and EVT_C_STORE) | ${stores} | | | | ${round(headerUs, 2)} | ${round1((headerUs * stores) / 1000)} | | |`,
  );
  sum += headerUs * stores;
  lines.push(
    `| all, averaged per event | ${events} | | | | ${round(sum / events, 2)} | ${round1(sum / 1000)} | ${round(sumObject / events, 2)} | |`,
  );
  json['per_type'] = costs;
  json['header_decode_us'] = headerUs;
  json['dicom_thread_us_per_event'] = sum / events;
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
