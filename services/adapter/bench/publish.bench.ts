/**
 * The cost of publishing every event to Kafka, on loopback, in one run:
 *   1. our SCP (the adapter CLI, a separate process) receiving BENCH_SMALL_COUNT (2,000) ~10 KB instances from
 *      DCMTK's storescu (one association), with publishing off (no events built), with every event built and
 *      written to a JSONL file (EVENTS_OUT, no Kafka: the reference for the cost of Kafka itself), with publishing
 *      to Kafka (KAFKA_BROKERS), and
 *      while spooling (only when the built CLI reads a spool directory variable of config.ts: the row is
 *      left out otherwise), with DCMTK's storescp as the reference. One warm-up each, then interleaved rounds
 *      (the order rotates each round), medians. Events are counted from the topic (end offsets before the
 *      round and once they stop moving after it), so events/s = events published for the round / its seconds.
 *   2. lag: envelope `timestamp` (µs, UTC, taken by the adapter) to the moment a kafkajs consumer in this
 *      process reads the record, over separate rounds into the publishing adapter (the consumer is not running
 *      during the throughput rounds); median, p99, max.
 *   3. the raw produce rate of kafkajs 2.2.4 (our KafkaEventProducer: idempotent, one in flight, acks=all,
 *      murmur2) against @platformatic/kafka 1.35.0 (idempotent, acks=all, compatibilityPartitioner) for
 *      BENCH_PRODUCE_COUNT (50,000) envelopes captured in step 2 (real keys, values, headers), in batches of
 *      BENCH_PRODUCE_BATCH (500, the sink's batch) awaited one after another like the sink does; gzip (the
 *      sink's setting) and none; interleaved rounds after one warm-up each.
 * The broker is KAFKA_BROKERS, else 127.0.0.1:9092 if it answers, else one started with infra/kafka/kafka.sh
 * (and stopped at the end). Topics are unique per run and deleted at the end; when the adapter has no topic
 * variable it publishes to dicomtrail.events.v1, which is deleted at the end only if this run created it.
 * Every DCMTK process runs with TCP_NODELAY=1. Prints Markdown tables to stdout, progress to stderr, and
 * writes bench-results/publish.json at the repo root.
 *
 * Knobs (environment): BENCH_ROUNDS (3), BENCH_LAG_ROUNDS (2), BENCH_SMALL_COUNT (2000),
 * BENCH_PRODUCE_COUNT (50000), BENCH_PRODUCE_BATCH (500), BENCH_PDU (65536), BENCH_TMP (os.tmpdir()),
 * BENCH_NO_SPOOL_VARIANT=1 (leave the spooling row out even when the CLI supports it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createEventProducer,
  createKafka,
  EVENTS_TOPIC,
  type EventProducer,
  type EventRecord,
} from '@dicomtrail/event-log';
import { createLogger } from '@dicomtrail/runtime';
import { compatibilityPartitioner, Producer as PlatformaticProducer } from '@platformatic/kafka';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { adapterConfigSpec } from '../src/config.js';
import { EXPLICIT_LE, uid, writeInstance } from '../test/support/instances.js';
import {
  adapterCliPath,
  answers,
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

const cliPath = adapterCliPath;
const kafkaSh = path.join(repoRoot, 'infra/kafka/kafka.sh');

const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const LAG_ROUNDS = intEnv('BENCH_LAG_ROUNDS', 2);
const SMALL_COUNT = intEnv('BENCH_SMALL_COUNT', 2000);
const PRODUCE_COUNT = intEnv('BENCH_PRODUCE_COUNT', 50_000);
const PRODUCE_BATCH = intEnv('BENCH_PRODUCE_BATCH', 500);
const PDU = intEnv('BENCH_PDU', 65536);
const AE = 'DICOMTRAIL';
const PARTITIONS = 3;

const TARGETS = { publishRatio: 0.85, lagMedianMs: 50 };

/** Adapter variables that exist only once the spool / topic integration has landed (config.ts). */
const configKeys = Object.keys(adapterConfigSpec);
const TOPIC_VAR = configKeys.find((k) => /^(EVENTS_TOPIC|KAFKA_TOPIC|KAFKA_EVENTS_TOPIC)$/.test(k));
const SPOOL_KEY = configKeys.find((k) => /SPOOL/.test(k) && /DIR/.test(k));
/** The spooling row runs only when the built CLI actually reads the spool variable (integration landed). */
const SPOOL_SKIPPED = process.env['BENCH_NO_SPOOL_VARIANT'] !== undefined;
const SPOOL_VAR = SPOOL_KEY && !SPOOL_SKIPPED && cliUses(SPOOL_KEY) ? SPOOL_KEY : undefined;
const SPOOL_REASON = SPOOL_VAR
  ? undefined
  : SPOOL_SKIPPED
    ? 'BENCH_NO_SPOOL_VARIANT is set'
    : SPOOL_KEY
      ? `${SPOOL_KEY} is in config.ts, but the built cli.js does not read it`
      : 'the adapter configuration has no spool directory variable';

function cliUses(name: string): boolean {
  try {
    return readFileSync(cliPath, 'utf8').includes(name);
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Wall clock in ms with sub-ms resolution. */
const nowMs = (): number => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------- processes (all stopped on the way out)

let startedKafka = false;
let kafkaStartedByBench = false;

function stopKafkaSync(): void {
  if (!startedKafka) return;
  startedKafka = false;
  progress('stopping the Kafka broker this bench started');
  spawn(kafkaSh, ['stop'], { cwd: repoRoot, stdio: 'ignore', detached: true }).unref();
}

process.once('exit', () => killAll());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    progress(`${sig}: stopping children`);
    killAll();
    cleanupTemp();
    stopKafkaSync();
    process.exit(130);
  });
}

interface Receiver {
  name: string;
  label: string;
  port: number;
  storeDir: string;
  child: ChildProcess;
  /** Publishes to Kafka (events are counted from the topic). */
  publishes: boolean;
  stderrTail: () => string;
}

async function startReceiver(
  name: string,
  label: string,
  storeDir: string,
  extraEnv: Record<string, string> = {},
  publishes = false,
): Promise<Receiver> {
  const port = await freePort();
  mkdirSync(storeDir, { recursive: true });
  let child: ChildProcess;
  if (name === 'dcmtk') {
    child = spawn('storescp', ['--max-pdu', String(PDU), '-od', storeDir, String(port)], {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } else {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DICOM_MAX_PDU: String(PDU),
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
      ...extraEnv,
    };
    if (!('KAFKA_BROKERS' in extraEnv)) delete env['KAFKA_BROKERS'];
    const args = [cliPath, 'adapter', '--port', String(port), '--ae-title', AE, '--store-dir', storeDir];
    child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  }
  track(child);
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    tail = (tail + d).slice(-4000);
  });
  await waitListening(port, child, label);
  return { name, label, port, storeDir, child, publishes, stderrTail: () => tail };
}

async function stopReceiver(r: Receiver): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------- files

let tempRoot: string | undefined;

function cleanupTemp(): void {
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = undefined;
}

interface DataSet {
  dir: string;
  count: number;
  bytes: number;
}

function makeData(root: string, count: number, pixelBytes: number): DataSet {
  const dir = path.join(root, 'small');
  mkdirSync(dir, { recursive: true });
  const studyUid = uid();
  const series = Array.from({ length: Math.max(1, Math.ceil(count / 100)) }, () => uid());
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `small${String(i).padStart(5, '0')}.dcm`);
    writeInstance(file, {
      transferSyntax: EXPLICIT_LE,
      pixelBytes,
      patientId: `PID-${i % 10}`,
      studyUid,
      seriesUid: series[Math.floor(i / 100)]!,
    });
    bytes += statSync(file).size;
  }
  return { dir, count, bytes };
}

// ---------------------------------------------------------------- statistics

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** `2026-11-25T11:09:59.123456Z` → ms since the epoch, keeping the microseconds. */
function parseTimestampMs(ts: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(ts);
  if (!m) return Date.parse(ts);
  return Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

// ---------------------------------------------------------------- Kafka

async function ensureBroker(): Promise<string[]> {
  const fromEnv = (process.env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const brokers = fromEnv.length > 0 ? fromEnv : [`127.0.0.1:${process.env['KAFKA_PORT'] ?? '9092'}`];
  for (const b of brokers) {
    const i = b.lastIndexOf(':');
    if (await answers(b.slice(0, i), Number(b.slice(i + 1)))) {
      progress(`using Kafka at ${brokers.join(',')}`);
      return brokers;
    }
  }
  if (fromEnv.length > 0) throw new Error(`KAFKA_BROKERS=${fromEnv.join(',')} does not answer`);
  progress('no broker answers: starting one with infra/kafka/kafka.sh start');
  startedKafka = true;
  kafkaStartedByBench = true;
  const r = await runTool(kafkaSh, ['start'], 180_000);
  if (r.code !== 0) throw new Error(`kafka.sh start exited ${r.code}: ${r.stderr.slice(-1500)}`);
  return brokers;
}

async function stopKafka(): Promise<void> {
  if (!startedKafka) return;
  startedKafka = false;
  progress('stopping the Kafka broker this bench started');
  await runTool(kafkaSh, ['stop'], 60_000).catch(() => undefined);
}

async function endOffsetSum(admin: Admin, topic: string): Promise<number> {
  const offs = await admin.fetchTopicOffsets(topic);
  return offs.reduce((n, o) => n + Number(o.high), 0);
}

/** Polls the topic's end offsets until they have not moved for `quietMs` (max `maxMs`); returns the sum. */
async function settledOffsets(admin: Admin, topic: string, quietMs = 400, maxMs = 15_000): Promise<number> {
  const t0 = Date.now();
  let last = await endOffsetSum(admin, topic);
  let since = Date.now();
  while (Date.now() - t0 < maxMs) {
    await sleep(100);
    const cur = await endOffsetSum(admin, topic);
    if (cur !== last) {
      last = cur;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) break;
  }
  return last;
}

// ---------------------------------------------------------------- store rounds

interface StoreRound {
  seconds: number;
  /** CPU seconds (user + system) of the receiver from the round's start until its events stopped arriving. */
  cpuSeconds?: number;
  /** The same for the receiver's main thread alone (the thread that serves DICOM). */
  mainCpuSeconds?: number;
  /** Records the round added to the topic (publishing receivers only). */
  events?: number;
}

async function storeRound(
  r: Receiver,
  data: DataSet,
  admin: Admin | undefined,
  topic: string,
): Promise<StoreRound> {
  emptyDir(r.storeDir);
  const before = r.publishes && admin ? await settledOffsets(admin, topic, 200) : 0;
  const cpu0 = cpuSeconds(r.child.pid);
  const main0 = cpuSeconds(r.child.pid, true);
  const res = await runTool('storescu', ['-aec', AE, '+sd', '127.0.0.1', String(r.port), data.dir]);
  if (res.code !== 0)
    throw new Error(
      `storescu → ${r.label} exited ${res.code ?? res.signal}: ${res.stderr.slice(-1500)}\n` +
        `receiver stderr: ${r.stderrTail()}`,
    );
  const stored = countFiles(r.storeDir);
  if (stored !== data.count) throw new Error(`${r.label} stored ${stored} of ${data.count} instances`);
  emptyDir(r.storeDir);
  const after = r.publishes && admin ? await settledOffsets(admin, topic) : undefined;
  const cpu1 = cpuSeconds(r.child.pid);
  const main1 = cpuSeconds(r.child.pid, true);
  return {
    seconds: res.seconds,
    ...(cpu0 !== undefined && cpu1 !== undefined ? { cpuSeconds: cpu1 - cpu0 } : {}),
    ...(main0 !== undefined && main1 !== undefined ? { mainCpuSeconds: main1 - main0 } : {}),
    ...(after !== undefined ? { events: after - before } : {}),
  };
}

/** utime + stime of a process (or of its main thread alone) from /proc (Linux), in seconds. */
function cpuSeconds(pid: number | undefined, mainThread = false): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- lag (a kafkajs consumer in this process)

interface LagRound {
  seconds: number;
  lagsMs: number[];
  events: number;
}

async function startConsumer(
  kafka: Kafka,
  topic: string,
  onBatch: (readAt: number, messages: KafkaMessage[]) => void,
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: `dicomtrail-bench-lag-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 100,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  await consumer.connect();
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      onBatch(nowMs(), batch.messages);
    },
  });
  await joined;
  // The first fetch after the join resolves the latest offsets; let it settle before anything is produced.
  await sleep(1500);
  return consumer;
}

async function lagRound(
  kafka: Kafka,
  admin: Admin,
  r: Receiver,
  data: DataSet,
  topic: string,
  samples: EventRecord[],
): Promise<LagRound> {
  const lagsMs: number[] = [];
  const consumer = await startConsumer(kafka, topic, (readAt, messages) => {
    for (const m of messages) {
      if (!m.value) continue;
      const env = JSON.parse(m.value.toString('utf8')) as { timestamp?: string };
      if (typeof env.timestamp === 'string') lagsMs.push(readAt - parseTimestampMs(env.timestamp));
      if (samples.length < PRODUCE_COUNT) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = String(v);
        samples.push({ key: m.key?.toString('utf8') ?? '', value: m.value, headers });
      }
    }
  });
  try {
    const res = await storeRound(r, data, admin, topic);
    const t0 = Date.now();
    while (lagsMs.length < (res.events ?? 0) && Date.now() - t0 < 15_000) await sleep(50);
    return { seconds: res.seconds, lagsMs, events: res.events ?? 0 };
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- raw produce rate

interface ProduceClient {
  name: string;
  label: string;
  compression: 'gzip' | 'none';
  send: (records: readonly EventRecord[]) => Promise<void>;
  close: () => Promise<void>;
}

function kafkajsClient(brokers: string[], topic: string, compression: 'gzip' | 'none'): ProduceClient {
  const log = createLogger('bench-publish');
  const producer: EventProducer = createEventProducer({
    brokers,
    topic,
    log,
    clientId: `dicomtrail-bench-kafkajs-${compression}`,
    compression,
  });
  let connected: Promise<void> | undefined;
  return {
    name: `kafkajs_${compression}`,
    label: 'kafkajs 2.2.4',
    compression,
    send: async (records) => {
      connected ??= producer.connect();
      await connected;
      await producer.send(records);
    },
    close: () => producer.disconnect(),
  };
}

function platformaticClient(brokers: string[], topic: string, compression: 'gzip' | 'none'): ProduceClient {
  const producer = new PlatformaticProducer({
    clientId: `dicomtrail-bench-platformatic-${compression}`,
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: -1,
    compression,
    partitioner: compatibilityPartitioner,
    autocreateTopics: false,
    timeout: 10_000,
  });
  return {
    name: `platformatic_${compression}`,
    label: '@platformatic/kafka 1.35.0',
    compression,
    send: async (records) => {
      await producer.send({
        messages: records.map((r) => ({
          topic,
          key: Buffer.from(r.key),
          value: r.value,
          headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
        })),
      });
    },
    close: () => producer.close(),
  };
}

/** Sends `records` in batches of PRODUCE_BATCH, each awaited before the next (the sink's pattern). */
async function produceRun(c: ProduceClient, records: EventRecord[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += PRODUCE_BATCH) await c.send(records.slice(i, i + PRODUCE_BATCH));
  return (performance.now() - t0) / 1000;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const t0 = performance.now();
  for (const tool of ['storescu', 'storescp']) {
    const r = await runTool(tool, ['--version']).catch(() => undefined);
    if (r?.code !== 0) throw new Error(`${tool} not found: install dcmtk (apt-get install dcmtk)`);
  }
  const brokers = await ensureBroker();
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const produceTopic = `dicomtrail.bench.publish.produce.${runId}`;
  const adapterTopic = TOPIC_VAR ? `dicomtrail.bench.publish.adapter.${runId}` : EVENTS_TOPIC;
  const log = createLogger('bench-publish');
  const kafka = createKafka({ clientId: 'dicomtrail-bench-publish', brokers, log });
  const admin = kafka.admin();
  await admin.connect();
  const createdTopics: string[] = [];

  const root = mkdtempSync(path.join(process.env['BENCH_TMP'] ?? os.tmpdir(), 'dt-bench-pub-'));
  tempRoot = root;
  const receivers: Receiver[] = [];
  const clients: ProduceClient[] = [];
  try {
    const existing = new Set(await admin.listTopics());
    const toCreate = [produceTopic, adapterTopic].filter((t) => !existing.has(t));
    if (toCreate.length > 0)
      await admin.createTopics({
        topics: toCreate.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
        waitForLeaders: true,
      });
    createdTopics.push(...toCreate);
    progress(
      `topics: adapter → ${adapterTopic}${TOPIC_VAR ? ` (via ${TOPIC_VAR})` : ' (fixed: the adapter has no topic variable)'}` +
        `${existing.has(adapterTopic) ? ', existed before' : ''}; produce → ${produceTopic}`,
    );

    progress(`temp dir ${root}; generating ${SMALL_COUNT} × ~10 KB instances`);
    const small = makeData(root, SMALL_COUNT, 10_000 - 600);

    const kafkaEnv: Record<string, string> = { KAFKA_BROKERS: brokers.join(',') };
    if (TOPIC_VAR) kafkaEnv[TOPIC_VAR] = adapterTopic;
    receivers.push(await startReceiver('ours_off', 'dicomtrail, publishing off', path.join(root, 'o-off')));
    receivers.push(
      await startReceiver('ours_kafka', 'dicomtrail → Kafka', path.join(root, 'o-kafka'), kafkaEnv, true),
    );
    // The event model without Kafka: every envelope built and written to a file. Kafka vs this row is the
    // cost of publishing itself; the target is against "publishing off" (no events built at all).
    receivers.push(
      await startReceiver(
        'ours_jsonl',
        'dicomtrail → JSONL file (events built, no Kafka)',
        path.join(root, 'o-jsonl'),
        {
          EVENTS_OUT: path.join(root, 'events.jsonl'),
        },
      ),
    );
    if (SPOOL_VAR) {
      // Spooling: the broker address answers nothing, so every event goes to the on-disk spool.
      // A queue of one record sends everything past it to the spool at once (else it would sit in memory).
      const spoolEnv: Record<string, string> = {
        KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
        [SPOOL_VAR]: path.join(root, 'spool'),
      };
      if (configKeys.includes('KAFKA_MAX_QUEUE')) spoolEnv['KAFKA_MAX_QUEUE'] = '1';
      receivers.push(
        await startReceiver(
          'ours_spool',
          'dicomtrail → spool (Kafka down)',
          path.join(root, 'o-spool'),
          spoolEnv,
        ),
      );
    } else progress(`the spooling row is left out: ${SPOOL_REASON}`);
    receivers.push(await startReceiver('dcmtk', 'dcmtk storescp', path.join(root, 'o-dcmtk')));
    const kafkaReceiver = receivers.find((r) => r.name === 'ours_kafka')!;

    // ------------------------------------------------------------ 1. throughput
    const store: Record<string, StoreRound[]> = {};
    for (const r of receivers) {
      const w = await storeRound(r, small, admin, adapterTopic);
      progress(
        `warm-up ${r.label}: ${w.seconds.toFixed(3)} s${w.events !== undefined ? `, ${w.events} events` : ''}`,
      );
    }
    for (let i = 1; i <= ROUNDS; i++) {
      for (const r of rotate(receivers, i - 1)) {
        await runTool('sync', []);
        const res = await storeRound(r, small, admin, adapterTopic);
        const list = store[r.name] ?? [];
        list.push(res);
        store[r.name] = list;
        progress(
          `round ${i}/${ROUNDS} ${r.label}: ${res.seconds.toFixed(3)} s, ${(small.count / res.seconds).toFixed(1)} inst/s` +
            (res.events !== undefined
              ? `, ${res.events} events, ${(res.events / res.seconds).toFixed(0)} events/s`
              : ''),
        );
      }
    }

    // ------------------------------------------------------------ 2. lag
    const samples: EventRecord[] = [];
    const lagRounds: LagRound[] = [];
    for (let i = 1; i <= LAG_ROUNDS; i++) {
      const lr = await lagRound(kafka, admin, kafkaReceiver, small, adapterTopic, samples);
      lagRounds.push(lr);
      const sorted = [...lr.lagsMs].sort((a, b) => a - b);
      progress(
        `lag round ${i}/${LAG_ROUNDS}: ${lr.events} events published, ${lr.lagsMs.length} read; ` +
          `median ${median(sorted).toFixed(1)} ms, p99 ${quantile(sorted, 0.99).toFixed(1)} ms`,
      );
    }
    for (const r of receivers) await stopReceiver(r);

    // ------------------------------------------------------------ 3. raw produce rate
    if (samples.length === 0) throw new Error('no envelopes were read back from Kafka');
    const records = Array.from({ length: PRODUCE_COUNT }, (_, i) => samples[i % samples.length]!);
    const envBytes = records.reduce((n, r) => n + r.value.length, 0) / records.length;
    const keys = new Set(records.map((r) => r.key)).size;
    progress(
      `produce: ${PRODUCE_COUNT} envelopes (${samples.length} distinct, mean ${envBytes.toFixed(0)} B, ${keys} keys), ` +
        `batches of ${PRODUCE_BATCH}`,
    );
    for (const compression of ['gzip', 'none'] as const) {
      clients.push(kafkajsClient(brokers, produceTopic, compression));
      clients.push(platformaticClient(brokers, produceTopic, compression));
    }
    const produce: Record<string, number[]> = {};
    for (const c of clients) {
      const s = await produceRun(c, records);
      progress(`produce warm-up ${c.label} ${c.compression}: ${(PRODUCE_COUNT / s).toFixed(0)} records/s`);
    }
    for (let i = 1; i <= ROUNDS; i++) {
      for (const c of rotate(clients, i - 1)) {
        const s = await produceRun(c, records);
        const list = produce[c.name] ?? [];
        list.push(s);
        produce[c.name] = list;
        progress(
          `produce round ${i}/${ROUNDS} ${c.label} ${c.compression}: ${s.toFixed(3)} s, ${(PRODUCE_COUNT / s).toFixed(0)} records/s`,
        );
      }
    }
    const produced = await endOffsetSum(admin, produceTopic);
    const expected = PRODUCE_COUNT * clients.length * (ROUNDS + 1);
    if (produced !== expected)
      progress(`WARNING: produce topic holds ${produced} records, expected ${expected}`);

    // ------------------------------------------------------------ report
    const sumStore = Object.fromEntries(
      receivers.map((r) => {
        const rounds = store[r.name]!;
        const secs = rounds.map((x) => x.seconds);
        const m = median(secs);
        const evRates = rounds.filter((x) => x.events !== undefined).map((x) => x.events! / x.seconds);
        return [
          r.name,
          {
            label: r.label,
            rounds_s: secs.map((x) => round(x, 3)),
            median_s: round(m, 3),
            instances_per_s: round(small.count / m, 1),
            cpu_s_per_round: round(median(rounds.map((x) => x.cpuSeconds ?? Number.NaN)), 2),
            main_cpu_s_per_round: round(median(rounds.map((x) => x.mainCpuSeconds ?? Number.NaN)), 2),
            ...(evRates.length
              ? {
                  events_per_round: rounds.map((x) => x.events),
                  events_per_s: round(median(evRates), 0),
                }
              : {}),
          },
        ];
      }),
    ) as Record<
      string,
      {
        label: string;
        rounds_s: number[];
        median_s: number;
        instances_per_s: number;
        cpu_s_per_round: number;
        main_cpu_s_per_round: number;
        events_per_round?: (number | undefined)[];
        events_per_s?: number;
      }
    >;
    const off = sumStore['ours_off']!;
    const dc = sumStore['dcmtk']!;
    /** Median over rounds of (other in round i) / (publishing off in round i) as inst/s ratios. */
    const pairedVsOff = (name: string): number =>
      median(store[name]!.map((x, i) => store['ours_off']![i]!.seconds / x.seconds));
    const allLags = lagRounds.flatMap((l) => l.lagsMs).sort((a, b) => a - b);
    const lag = {
      rounds: lagRounds.map((l) => {
        const s = [...l.lagsMs].sort((a, b) => a - b);
        return {
          events_published: l.events,
          events_read: l.lagsMs.length,
          seconds: round(l.seconds, 3),
          median_ms: round(median(s), 1),
          p99_ms: round(quantile(s, 0.99), 1),
          max_ms: round(s[s.length - 1] ?? Number.NaN, 1),
        };
      }),
      events: allLags.length,
      median_ms: round(median(allLags), 1),
      p90_ms: round(quantile(allLags, 0.9), 1),
      p99_ms: round(quantile(allLags, 0.99), 1),
      max_ms: round(allLags[allLags.length - 1] ?? Number.NaN, 1),
    };
    const sumProduce = Object.fromEntries(
      clients.map((c) => {
        const m = median(produce[c.name]!);
        return [
          c.name,
          {
            label: c.label,
            compression: c.compression,
            rounds_s: produce[c.name]!.map((x) => round(x, 3)),
            median_s: round(m, 3),
            records_per_s: round(PRODUCE_COUNT / m, 0),
          },
        ];
      }),
    );
    const publishRatio = round(sumStore['ours_kafka']!.instances_per_s / off.instances_per_s, 2);
    const publishPaired = round(pairedVsOff('ours_kafka'), 2);
    const vsJsonl = round(
      sumStore['ours_kafka']!.instances_per_s / sumStore['ours_jsonl']!.instances_per_s,
      2,
    );
    const targets = {
      publish_ratio: {
        target: `>= ${TARGETS.publishRatio} (publishing costs at most 15%)`,
        value: publishRatio,
        paired: publishPaired,
        vs_jsonl: vsJsonl,
        met: publishRatio >= TARGETS.publishRatio,
      },
      lag_median_ms: {
        target: `< ${TARGETS.lagMedianMs}`,
        value: lag.median_ms,
        met: lag.median_ms < TARGETS.lagMedianMs,
      },
    };

    const lines: string[] = [];
    lines.push(
      `### Publishing cost: ${small.count} × ${(small.bytes / small.count / 1000).toFixed(1)} KB from storescu ` +
        `(loopback, one association, max PDU ${PDU}, median of ${ROUNDS} interleaved rounds)`,
      '',
      '| Receiver | median s | inst/s | events/s | ratio to publishing off (of medians) | paired ratio to off | ratio to storescp | receiver CPU s/round | DICOM-thread CPU s/round |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const r of receivers) {
      const s = sumStore[r.name]!;
      lines.push(
        `| ${s.label} | ${s.median_s.toFixed(3)} | ${s.instances_per_s.toFixed(1)} | ` +
          `${s.events_per_s !== undefined ? s.events_per_s.toFixed(0) : '—'} | ` +
          `${r.name === 'dcmtk' ? '—' : (s.instances_per_s / off.instances_per_s).toFixed(2)} | ` +
          `${r.name === 'dcmtk' ? '—' : pairedVsOff(r.name).toFixed(2)} | ` +
          `${(s.instances_per_s / dc.instances_per_s).toFixed(2)} | ${s.cpu_s_per_round.toFixed(2)} | ` +
          `${Number.isNaN(s.main_cpu_s_per_round) ? '—' : s.main_cpu_s_per_round.toFixed(2)} |`,
      );
    }
    if (!SPOOL_VAR) lines.push('', `No "while spooling" row: ${SPOOL_REASON}.`);
    lines.push(
      '',
      `### Lag: envelope timestamp → read by a kafkajs consumer (${LAG_ROUNDS} rounds of ${small.count} instances)`,
      '',
      '| Round | events published | events read | median ms | p99 ms | max ms |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    lag.rounds.forEach((l, i) => {
      lines.push(
        `| ${i + 1} | ${l.events_published} | ${l.events_read} | ${l.median_ms.toFixed(1)} | ${l.p99_ms.toFixed(1)} | ${l.max_ms.toFixed(1)} |`,
      );
    });
    lines.push(
      `| all | ${lagRounds.reduce((n, l) => n + l.events, 0)} | ${lag.events} | ${lag.median_ms.toFixed(1)} | ${lag.p99_ms.toFixed(1)} | ${lag.max_ms.toFixed(1)} |`,
      '',
      `### Raw produce rate: ${PRODUCE_COUNT} envelopes (mean ${envBytes.toFixed(0)} B, ${keys} keys, ${PARTITIONS} partitions), ` +
        `idempotent, acks=all, batches of ${PRODUCE_BATCH} awaited in turn, median of ${ROUNDS} interleaved rounds`,
      '',
      '| Client | compression | median s | records/s | ratio to kafkajs |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const c of clients) {
      const s = sumProduce[c.name]!;
      const base = sumProduce[`kafkajs_${c.compression}`]!;
      lines.push(
        `| ${s.label} | ${s.compression} | ${s.median_s.toFixed(3)} | ${s.records_per_s} | ${(s.records_per_s / base.records_per_s).toFixed(2)} |`,
      );
    }
    lines.push(
      '',
      '| Target | value | met |',
      '| --- | --- | --- |',
      `| (reference) Kafka vs the same events written to a JSONL file, inst/s ratio | ${vsJsonl.toFixed(2)} | — |`,
      `| publishing costs ≤ 15% (inst/s ratio to off ≥ ${TARGETS.publishRatio}) | ${publishRatio.toFixed(2)} (paired ${publishPaired.toFixed(2)}) | ${targets.publish_ratio.met ? 'yes' : '**no**'} |`,
      `| lag median < ${TARGETS.lagMedianMs} ms | ${lag.median_ms.toFixed(1)} ms (p99 ${lag.p99_ms.toFixed(1)} ms) | ${targets.lag_median_ms.met ? 'yes' : '**no**'} |`,
      '',
      'Times are storescu wall clock (process start and negotiation included). Events are counted from the ' +
        "topic's end offsets (before the round, and after it once they stop moving for 400 ms); events/s = " +
        'events / storescu seconds. CPU: user + system seconds from /proc over the round (the whole receiver, ' +
        'and its main thread alone: with KAFKA_PRODUCER_THREAD the Kafka client runs in a worker thread); on a ' +
        'shared 2-core machine the CPU columns move less with contention than the wall-clock ones.',
    );
    process.stdout.write(`${lines.join('\n')}\n`);

    const outDir = path.join(repoRoot, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const result = {
      bench: 'publish',
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model ?? 'unknown',
        mem_gb: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
      },
      setup: {
        rounds: ROUNDS,
        lag_rounds: LAG_ROUNDS,
        warmup_rounds: 1,
        order: `${receivers.map((r) => r.label).join(', ')}; rotated by one each round; sync(1) before each round`,
        sender: 'TCP_NODELAY=1 storescu -aec DICOMTRAIL +sd 127.0.0.1 PORT DIR (one association)',
        brokers,
        kafka_started_by_bench: kafkaStartedByBench,
        adapter_topic: adapterTopic,
        adapter_topic_var: TOPIC_VAR ?? null,
        spool_var: SPOOL_VAR ?? null,
        spool_key_in_config: SPOOL_KEY ?? null,
        spool_row: SPOOL_VAR
          ? `included: KAFKA_BROKERS answering nothing, ${SPOOL_VAR} set, KAFKA_MAX_QUEUE=1`
          : `left out: ${SPOOL_REASON}`,
        produce_topic: produceTopic,
        partitions: PARTITIONS,
        produce_batch: PRODUCE_BATCH,
      },
      data: { count: small.count, bytes: small.bytes },
      store: sumStore,
      lag,
      produce: {
        records: PRODUCE_COUNT,
        distinct_envelopes: samples.length,
        mean_envelope_bytes: round(envBytes, 0),
        keys,
        ...sumProduce,
      },
      ratios: {
        publishing_vs_off: publishRatio,
        publishing_vs_off_paired: publishPaired,
        ...(SPOOL_VAR
          ? {
              spooling_vs_off: round(sumStore['ours_spool']!.instances_per_s / off.instances_per_s, 2),
            }
          : {}),
        off_vs_storescp: round(off.instances_per_s / dc.instances_per_s, 2),
        platformatic_vs_kafkajs_gzip: round(
          sumProduce['platformatic_gzip']!.records_per_s / sumProduce['kafkajs_gzip']!.records_per_s,
          2,
        ),
        platformatic_vs_kafkajs_none: round(
          sumProduce['platformatic_none']!.records_per_s / sumProduce['kafkajs_none']!.records_per_s,
          2,
        ),
      },
      targets,
      total_seconds: round((performance.now() - t0) / 1000, 1),
    };
    const outFile = path.join(outDir, 'publish.json');
    writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    progress(`wrote ${path.relative(process.cwd(), outFile) || outFile}; total ${result.total_seconds} s`);
  } finally {
    for (const r of receivers) await stopReceiver(r).catch(() => undefined);
    for (const c of clients) await c.close().catch(() => undefined);
    if (createdTopics.length > 0) {
      await admin
        .deleteTopics({ topics: createdTopics, timeout: 10_000 })
        .then(() => progress(`deleted topics ${createdTopics.join(', ')}`))
        .catch((err: unknown) =>
          progress(`could not delete topics ${createdTopics.join(', ')}: ${String(err)}`),
        );
    }
    await admin.disconnect().catch(() => undefined);
    killAll();
    cleanupTemp();
    await stopKafka();
  }
}

main().catch(async (err: unknown) => {
  process.stderr.write(
    `[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  killAll();
  cleanupTemp();
  await stopKafka();
  process.exitCode = 1;
});
