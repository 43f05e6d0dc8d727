/**
 * Trace exporter benchmark (`npm run bench`), on real Kafka:
 *  1. events/s from Kafka to the backend: N associations replayed from a dcmtk capture (storescu,
 *     findscu, getscu, an abort, a reject; new association and trace ids each) are produced to a fresh topic, then
 *     one exporter consumes them from the beginning; the clock runs from start until every association is
 *     exported and flushed. Backends: Zipkin (infra/trace-backend, ZIPKIN_URL) and OTLP/protobuf to an in-process
 *     HTTP receiver that only counts bytes.
 *  2. memory with 10,000 associations open at once: the first half of 10,000 associations (no end event) is
 *     consumed; RSS and heap are read after a GC, against the same exporter idle before.
 * Prints a table and writes bench-results/trace-exporter.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { createLogger, loadConfig } from '@dicomtrail/runtime';
import { associationSpanId, associationTraceId, operationSpanId, uuidv7 } from '@dicomtrail/schemas';
import { testKafka, uniqueTopic } from '@dicomtrail/testing';
import { CompressionTypes } from 'kafkajs';
import { startTraceExporter, traceExporterConfigSpec } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.resolve(here, '../../test/fixtures/dcmtk-capture.jsonl.gz');
const BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const ZIPKIN = (process.env['ZIPKIN_URL'] ?? 'http://127.0.0.1:9411').replace(/\/+$/, '');
const ASSOCIATIONS = Number(process.env['BENCH_ASSOCIATIONS'] ?? 3000);
const OPEN = Number(process.env['BENCH_OPEN_ASSOCIATIONS'] ?? 10_000);

type Envelope = {
  id: string;
  type: string;
  association: { id: string };
  params: { message_id?: number };
  trace: { trace_id: string; span_id: string; parent_span_id?: string };
};

const CAPTURE: Envelope[][] = (() => {
  const all = gunzipSync(readFileSync(FIXTURE))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Envelope);
  const byAssoc = new Map<string, Envelope[]>();
  for (const e of all) byAssoc.set(e.association.id, [...(byAssoc.get(e.association.id) ?? []), e]);
  return [...byAssoc.values()];
})();

/** The events of one captured association under a new association id, with ids derived as the adapter does. */
function replica(template: Envelope[], keep = template.length): string[] {
  const id = randomUUID();
  return template.slice(0, keep).map((e) => {
    const trace = e.trace.parent_span_id
      ? {
          trace_id: associationTraceId(id),
          span_id: operationSpanId(id, e.params.message_id ?? 0, e.type.slice(4).replaceAll('_', '-')),
          parent_span_id: associationSpanId(id),
        }
      : { trace_id: associationTraceId(id), span_id: associationSpanId(id) };
    return JSON.stringify({ ...e, id: uuidv7(), association: { ...e.association, id }, trace });
  });
}

async function produce(topic: string, associations: string[][]): Promise<number> {
  const kafka = await testKafka('trace-bench-producer', BROKERS);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let n = 0;
  for (let i = 0; i < associations.length; i += 20) {
    const messages = associations.slice(i, i + 20).flatMap((events) => {
      const key = (JSON.parse(events[0]!) as Envelope).association.id;
      return events.map((value) => ({ key, value }));
    });
    n += messages.length;
    await producer.send({ topic, messages, compression: CompressionTypes.GZIP });
  }
  await producer.disconnect();
  return n;
}

function configFor(topic: string, extra: Record<string, string>) {
  return loadConfig(traceExporterConfigSpec, {
    KAFKA_BROKERS: BROKERS.join(','),
    EVENTS_TOPIC: topic,
    TRACE_EXPORTER_GROUP_ID: `bench-${topic}`,
    OTEL_SERVICE_NAME: 'dicomtrail-bench',
    ...extra,
  });
}

const log = createLogger('trace-exporter-bench', { level: 'warn' });

async function throughput(backend: 'zipkin' | 'otlp', events: number, topic: string) {
  let otlpBytes = 0;
  const receiver = createServer((req, res) => {
    req.on('data', (c: Buffer) => (otlpBytes += c.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const otlpUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
  const extra: Record<string, string> =
    backend === 'zipkin'
      ? { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${ZIPKIN}/api/v2/spans` }
      : { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl };
  const exporter = await startTraceExporter(configFor(topic, extra), log);
  // The clock starts at the first event consumed (group join and topic metadata excluded).
  while (exporter.stats().events === 0) await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  for (let i = 0; exporter.stats().associationsExported < ASSOCIATIONS; i++) {
    await new Promise((r) => setTimeout(r, 20));
    if (i % 250 === 0) console.error(`[bench] ${backend}: ${JSON.stringify(exporter.stats())}`);
  }
  await exporter.checkpoint();
  const s = (performance.now() - t0) / 1000;
  const stats = exporter.stats();
  await exporter.stop();
  receiver.close();
  return {
    backend,
    associations: ASSOCIATIONS,
    events,
    spans: stats.spansExported,
    seconds: Number(s.toFixed(2)),
    events_per_s: Math.round(events / s),
    spans_per_s: Math.round(stats.spansExported / s),
    export_requests: stats.exportRequests,
    ...(backend === 'otlp' ? { otlp_bytes: otlpBytes } : {}),
  };
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function memory() {
  gc();
  const m = process.memoryUsage();
  return { rss_mib: m.rss / 2 ** 20, heap_mib: m.heapUsed / 2 ** 20 };
}

async function openAssociations() {
  const topic = uniqueTopic('trace-bench-open');
  // Each association up to its first operation's request: open, with an operation in flight.
  // findscu's association (one presentation context): the storescu one proposes ~120 and would fill the topic.
  const finder = CAPTURE.find((a) => a.some((e) => e.type === 'EVT_C_FIND'))!;
  const firstRq = finder.findIndex((e) => e.type === 'EVT_DIMSE_RECV');
  const events = await produce(
    topic,
    Array.from({ length: OPEN }, () => replica(finder, firstRq + 1)),
  );
  const before = memory();
  const exporter = await startTraceExporter(
    configFor(topic, {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces',
    }),
    log,
  );
  for (let i = 0; exporter.stats().events < events; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (i % 100 === 0) console.error(`[bench] open: ${JSON.stringify(exporter.stats())}`);
  }
  const after = memory();
  const open = exporter.stats().openAssociations;
  await exporter.stop();
  return {
    open_associations: open,
    events_each: firstRq + 1,
    rss_mib: Number(after.rss_mib.toFixed(1)),
    heap_mib: Number(after.heap_mib.toFixed(1)),
    heap_growth_mib: Number((after.heap_mib - before.heap_mib).toFixed(1)),
    bytes_per_open_association: Math.round(((after.heap_mib - before.heap_mib) * 2 ** 20) / open),
  };
}

let assocs: string[][] | undefined = Array.from({ length: ASSOCIATIONS }, (_, i) =>
  replica(CAPTURE[i % CAPTURE.length]!),
);
const zipkinTopic = uniqueTopic('trace-bench-zipkin');
const otlpTopic = uniqueTopic('trace-bench-otlp');
console.error(`[bench] producing ${ASSOCIATIONS} associations twice`);
const events = await produce(zipkinTopic, assocs);
await produce(otlpTopic, assocs);
assocs = undefined;
const runs = [await throughput('zipkin', events, zipkinTopic), await throughput('otlp', events, otlpTopic)];
const mem = await openAssociations();

console.log(
  '\ntrace-exporter: Kafka -> spans -> backend (one process, from the beginning of a pre-filled topic)',
);
console.log('| backend | associations | events | spans | s | events/s | spans/s | export requests |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of runs)
  console.log(
    `| ${r.backend === 'zipkin' ? 'Zipkin 3.6.1 /api/v2/spans' : 'OTLP http/protobuf (in-process receiver)'} | ${r.associations} | ${r.events} | ${r.spans} | ${r.seconds} | ${r.events_per_s} | ${r.spans_per_s} | ${r.export_requests} |`,
  );
console.log(
  `\ntrace-exporter: memory with ${mem.open_associations} associations open (findscu's, each ${mem.events_each} events in, its C-FIND in flight)`,
);
console.log('| open associations | RSS MiB | heap MiB | heap growth MiB | bytes per open association |');
console.log('| --- | --- | --- | --- | --- |');
console.log(
  `| ${mem.open_associations} | ${mem.rss_mib} | ${mem.heap_mib} | ${mem.heap_growth_mib} | ${mem.bytes_per_open_association} |`,
);
const out = path.resolve(here, '../../../../bench-results');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'trace-exporter.json'), JSON.stringify({ runs, memory: mem }, null, 2));
process.exit(0);
