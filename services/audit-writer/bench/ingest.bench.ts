/**
 * Audit writer benchmark: Kafka → Postgres with the projections on, on this machine.
 *  1. Sustained ingest: BENCH_EVENTS events (captured storescu associations, ~1.4 KB each) are
 *     produced to a fresh topic first, then a writer starts from the beginning; events/s = rows committed /
 *     time from the first to the last committed batch. Once per transaction size (AUDIT_WRITER_MAX_BATCH_EVENTS),
 *     each on a fresh database, and once per insert method (AUDIT_WRITER_INSERT_METHOD: COPY or a multi-row
 *     INSERT from json_to_recordset), so the batch size and the method are chosen by measurement.
 *  2. Lag at fixed offered loads: BENCH_RATES events/s produced for BENCH_LAG_SECONDS with timestamps taken
 *     at production; lag = commit time of the batch − event timestamp, median and p99.
 * Prints Markdown tables to stdout, progress to stderr, writes bench-results/audit-ingest.json.
 * Knobs:
 *  - BENCH_EVENTS (300000: ~15 s of ingest at 20,000 events/s, long enough for the table to outgrow
 *    shared_buffers and for many fetch cycles; 114000, the default before, flatters the rate by ~30%);
 *  - BENCH_BATCH_EVENTS (list, "500,2000,5000"), BENCH_METHODS (list, "copy,recordset"), BENCH_RATES (list,
 *    "2000,5000"), BENCH_LAG_SECONDS (20);
 *  - BENCH_SEMI_SPACE_MB (64: the writer's --max-semi-space-size, 0 = Node's default);
 *  - BENCH_PARTITIONS (3), BENCH_CONCURRENCY (3: every partition in its own transaction at once);
 *  - BENCH_STORES (20: C-STOREs per association, so a study is one association: 266 events, ~1.4 KB each on
 *    average; storescu proposes 128 contexts, so its lifecycle events carry ~35 KB of negotiation each).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventProducer, createKafka, type EventRecord } from '@dicomtrail/event-log';
import { migrate } from '@dicomtrail/migrations';
import { createLogger } from '@dicomtrail/runtime';
import { createTestDatabase, kafkaBrokers, uniqueTopic } from '@dicomtrail/testing';
import { type AuditWriter, startAuditWriter } from '../src/consumer-loop.js';
import { INSERT_METHODS, type InsertMethod } from '../src/event-insert.js';
import { LOGIN_ROLES, loginUrl } from '../src/login-roles.js';
import { associationRecords, eventsPerAssociation } from '../test/support/synthetic.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const log = createLogger('audit-bench', { level: process.env['LOG_LEVEL'] ?? 'warn' });
const env = (name: string, dflt: string) => process.env[name] ?? dflt;
const EVENTS = Number(env('BENCH_EVENTS', '300000'));
const BATCH_EVENTS = env('BENCH_BATCH_EVENTS', '500,2000,5000').split(',').map(Number);
const METHODS = env('BENCH_METHODS', INSERT_METHODS.join(','))
  .split(',')
  .map((m) => m as InsertMethod);
const RATES = env('BENCH_RATES', '2000,5000').split(',').map(Number);
/** Producer mode's rate (set by the parent for the child it spawns). */
const RATE = Number(env('BENCH_RATE', '5000'));
const LAG_SECONDS = Number(env('BENCH_LAG_SECONDS', '20'));
const PARTITIONS = Number(env('BENCH_PARTITIONS', '3'));
/** Partitions written at the same time (AUDIT_WRITER_CONCURRENCY). */
const CONCURRENCY = Number(env('BENCH_CONCURRENCY', '3'));
const STORES = Number(env('BENCH_STORES', '20'));
const PER_ASSOCIATION = eventsPerAssociation(STORES);

const progress = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function setup(label: string, brokers: string[]) {
  const db = await createTestDatabase(`bench_${label}`);
  await migrate(db.url);
  const topic = uniqueTopic(`audit-bench-${label}`);
  const kafka = createKafka({ clientId: 'audit-bench', brokers, log });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic, numPartitions: PARTITIONS, replicationFactor: 1 },
      { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1 },
    ],
  });
  const producer = createEventProducer({ topic, kafka, log });
  await producer.connect();
  return {
    db,
    topic,
    producer,
    async cleanup() {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
      await admin.disconnect();
      await db.drop();
    },
  };
}

function writer(
  s: { db: { url: string }; topic: string },
  brokers: string[],
  batchEvents: number,
  method: InsertMethod,
  onBatch: AuditWriterOnBatch,
) {
  return startAuditWriter({
    brokers,
    databaseUrl: loginUrl(s.db.url, LOGIN_ROLES.writer),
    topic: s.topic,
    groupId: `bench-${s.topic}`,
    maxBatchEvents: batchEvents,
    insertMethod: method,
    concurrency: CONCURRENCY,
    maxWaitTimeMs: 20,
    log,
    onBatchCommitted: onBatch,
  });
}
type AuditWriterOnBatch = NonNullable<Parameters<typeof startAuditWriter>[0]['onBatchCommitted']>;

interface IngestRow {
  method: InsertMethod;
  batch_events: number;
  events: number;
  seconds: number;
  events_per_s: number;
  /** Mean envelope size (bytes of JSON). */
  mean_event_bytes: number;
  batches: number;
  mean_batch_events: number;
  /** Writer process CPU time / wall time (1.0 = one core busy). */
  writer_cpu_cores: number;
}

async function sustained(brokers: string[], method: InsertMethod, batchEvents: number): Promise<IngestRow> {
  const s = await setup(`ingest_${method}_${batchEvents}`, brokers);
  try {
    const associations = Math.ceil(EVENTS / PER_ASSOCIATION);
    let bytes = 0;
    for (let i = 0; i < associations; i += 10) {
      const records: EventRecord[] = [];
      for (let j = i; j < Math.min(associations, i + 10); j++) {
        records.push(...associationRecords(`PID-B-${j}`, undefined, STORES));
      }
      for (const r of records) bytes += r.value.length;
      await s.producer.send(records);
    }
    const total = associations * PER_ASSOCIATION;
    progress(
      `produced ${total} events; writer (${method}) with at most ${batchEvents} events per transaction`,
    );
    let rows = 0;
    let batches = 0;
    let first = 0;
    let last = 0;
    const w: AuditWriter = await writer(s, brokers, batchEvents, method, (r) => {
      const now = performance.now();
      if (batches === 0) first = now - 0;
      rows += r.inserted.length;
      batches += 1;
      last = now;
    });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    while (rows < total && performance.now() - t0 < 600_000) await sleep(50);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    await w.stop();
    // The first batch's own time is not in first→last: count the rows after it.
    const seconds = (last - first) / 1000;
    const firstBatchRows = total / batches;
    return {
      method,
      batch_events: batchEvents,
      events: rows,
      seconds: Math.round(seconds * 100) / 100,
      events_per_s: Math.round((rows - firstBatchRows) / seconds),
      mean_event_bytes: Math.round(bytes / total),
      batches,
      mean_batch_events: Math.round(rows / batches),
      writer_cpu_cores: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 100) / 100,
    };
  } finally {
    await s.cleanup();
  }
}

interface LagRow {
  offered_per_s: number;
  seconds: number;
  events: number;
  median_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_batch_events: number;
}

async function lag(
  brokers: string[],
  method: InsertMethod,
  batchEvents: number,
  rate: number,
): Promise<LagRow> {
  const s = await setup(`lag_${rate}`, brokers);
  try {
    const lags: number[] = [];
    let batches = 0;
    const w = await writer(s, brokers, batchEvents, method, (r) => {
      const now = Date.now();
      batches += 1;
      for (const row of r.inserted) lags.push(now - Date.parse(row.occurred_at));
    });
    await sleep(3000); // joined and idle
    // The offered load comes from another process (as the adapter is one), so its CPU is not the writer's.
    const sent = rate * LAG_SECONDS;
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'produce', s.topic], {
      env: { ...process.env, BENCH_RATE: String(rate) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await new Promise((r) => child.once('exit', r));
    const t1 = Date.now();
    while (lags.length < sent && Date.now() - t1 < 60_000) await sleep(50);
    await w.stop();
    const sorted = [...lags].sort((a, b) => a - b);
    return {
      offered_per_s: rate,
      seconds: LAG_SECONDS,
      events: lags.length,
      median_ms: percentile(sorted, 0.5),
      p99_ms: percentile(sorted, 0.99),
      max_ms: sorted[sorted.length - 1] ?? Number.NaN,
      mean_batch_events: Math.round(lags.length / Math.max(batches, 1)),
    };
  } finally {
    await s.cleanup();
  }
}

/** Producer mode: RATE events/s for LAG_SECONDS in 20 ms ticks, each stamped when sent. */
async function produce(topic: string, brokers: string[]): Promise<void> {
  const producer = createEventProducer({ topic, brokers, log });
  await producer.connect();
  const tickMs = 20;
  const perTick = (RATE * tickMs) / 1000;
  const ticks = (LAG_SECONDS * 1000) / tickMs;
  const t0 = Date.now();
  let pending: EventRecord[] = [];
  let made = 0;
  const inflight: Promise<unknown>[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    while (pending.length < perTick) {
      pending.push(...associationRecords(`PID-L-${made++}`, undefined, STORES));
    }
    const now = pending.slice(0, perTick).map(restamp);
    pending = pending.slice(perTick);
    inflight.push(
      producer.send(now).catch((err: unknown) => progress(`send failed: ${(err as Error).message}`)),
    );
    await sleep(Math.max(0, t0 + (tick + 1) * tickMs - Date.now()));
  }
  await Promise.all(inflight);
  await producer.disconnect();
}

function restamp(r: EventRecord): EventRecord {
  const e = JSON.parse(r.value.toString()) as { timestamp: string };
  const ms = Date.now();
  e.timestamp = new Date(ms).toISOString().replace('Z', '000Z');
  return { ...r, value: Buffer.from(JSON.stringify(e)) };
}

/**
 * The writer's young generation (README: NODE_OPTIONS=--max-semi-space-size=64): a V8 start-up flag, so the
 * benchmark runs itself again with it unless it is given already. BENCH_SEMI_SPACE_MB=0: Node's default.
 */
const SEMI_SPACE_MB = env('BENCH_SEMI_SPACE_MB', '64');
const SEMI_SPACE_FLAG = '--max-semi-space-size';
if (
  SEMI_SPACE_MB !== '0' &&
  !process.execArgv.some((a) => a.startsWith(SEMI_SPACE_FLAG)) &&
  !(process.env['NODE_OPTIONS'] ?? '').includes(SEMI_SPACE_FLAG)
) {
  const self = spawn(
    process.execPath,
    [
      `${SEMI_SPACE_FLAG}=${SEMI_SPACE_MB}`,
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  process.exit(await new Promise<number>((r) => self.once('exit', (code) => r(code ?? 1))));
}

const brokers = await kafkaBrokers();
if (process.argv[2] === 'produce') {
  await produce(process.argv[3] ?? '', brokers);
  process.exit(0);
}
const ingest: IngestRow[] = [];
for (const m of METHODS) for (const b of BATCH_EVENTS) ingest.push(await sustained(brokers, m, b));
const best = ingest.reduce((a, b) => (b.events_per_s > a.events_per_s ? b : a));
const lagRows: LagRow[] = [];
for (const rate of RATES) {
  progress(`lag at ${rate}/s (${best.method}) with at most ${best.batch_events} events per transaction`);
  lagRows.push(await lag(brokers, best.method, best.batch_events, rate));
}

const lines = [
  '### Sustained ingest (Kafka → Postgres, projections on, one writer)',
  '',
  '| method | max events per transaction | events | mean bytes | seconds | events/s | transactions | mean events per transaction | writer CPU (cores) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...ingest.map(
    (r) =>
      `| ${r.method} | ${r.batch_events} | ${r.events} | ${r.mean_event_bytes} | ${r.seconds} | ${r.events_per_s} | ${r.batches} | ${r.mean_batch_events} | ${r.writer_cpu_cores} |`,
  ),
  '',
  `### Lag, event timestamp → committed row, at fixed offered loads (${best.method}, at most ${best.batch_events} events per transaction)`,
  '',
  '| offered events/s | seconds | events | median ms | p99 ms | max ms | mean events per transaction |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...lagRows.map(
    (l) =>
      `| ${l.offered_per_s} | ${l.seconds} | ${l.events} | ${l.median_ms} | ${l.p99_ms} | ${l.max_ms} | ${l.mean_batch_events} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
const outDir = path.join(repoRoot, 'bench-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  path.join(outDir, 'audit-ingest.json'),
  `${JSON.stringify(
    {
      bench: 'audit-ingest',
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model ?? 'unknown',
        load: os.loadavg(),
        node: process.version,
        exec_argv: process.execArgv,
      },
      setup: {
        events: EVENTS,
        stores_per_association: STORES,
        events_per_association: PER_ASSOCIATION,
        partitions: PARTITIONS,
        concurrency: CONCURRENCY,
        rates: RATES,
        methods: METHODS,
        lag_seconds: LAG_SECONDS,
        brokers,
      },
      ingest,
      lag: lagRows,
    },
    null,
    2,
  )}\n`,
);
process.exit(0);
