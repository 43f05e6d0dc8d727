/**
 * Audit interchange benchmark (`npm run bench`, or alone: `node services/audit-interchange/dist/bench/interchange.bench.js`
 * after `npm run build`, with KAFKA_BROKERS set), on the real Kafka, a real rsyslogd over TLS and real files. The
 * events are the captured storescu association (4 C-STOREs and a user identity, 75 events, 3 messages) replayed as
 * new associations by a producer in its own worker thread (bench/rate-producer.ts).
 *  1. messages/s from Kafka to the syslog receiver over TLS: the events of 10,000 C-STOREs produced to a fresh
 *     topic beforehand; one service consumes them from the beginning; the clock runs from its start until the
 *     receiver's file holds every message.
 *  2. AuditEvents/s to NDJSON: the same topic, a new group, the NDJSON destination; until every one is fsync'd.
 *  3. end-to-end lag at 5,000 events/s (BENCH_EVENTS_PER_S), one run per destination on a fresh topic: the producer
 *     offers the events of 10,000 C-STOREs at that rate, every event stamped with its time of sending, while the
 *     service consumes them. Lag = when the receiver wrote the message (rsyslogd's own reception time,
 *     %timegenerated%; the NDJSON line's fsync) minus the time of the association's last event. median, p99, max,
 *     and the rate the service kept up with (events and messages per second from the first event sent to the last
 *     message written).
 * Prints tables and writes bench-results/audit-interchange.json. On a shared machine the figures are a floor.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { freePort, kafkaBrokers, uniqueTopic } from '@dicomtrail/testing';
import { accepted, loadCapture } from '../test/support/captured-traffic.js';
import { makePki } from '../test/support/certs.js';
import { rsyslog, tlsDestinationEnv } from '../test/support/rsyslog.js';
import { createTopic, startService, waitFor } from '../test/support/stack.js';
import type { RateProducerInput, RateProducerResult } from './rate-producer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const STORES = Number(process.env['BENCH_C_STORES'] ?? 10_000);
const RATE = Number(process.env['BENCH_EVENTS_PER_S'] ?? 5000);
/** The adapter's producer gzips; the bench's producer does not by default, leaving the CPU to the service. */
const COMPRESSION = process.env['BENCH_COMPRESSION'] === 'gzip' ? 'gzip' : 'none';
const PARTITIONS = 3;

const capture = loadCapture('audit-capture');
const template = accepted(capture, 'MODALITY', (a) => a.userIdentity !== undefined);
const templateEvents = capture.filter((e) => 'association' in e && e.association.id === template.id);
const storesPerAssociation = templateEvents.filter((e) => e.type === 'EVT_C_STORE').length;
const associations = Math.ceil(STORES / storesPerAssociation);
const totalEvents = associations * templateEvents.length;
/** What the template association gives (110114, 110102, 110104): a run that delivers other counts is wrong, not slow. */
const messagesPerAssociation = 3;

function checkCount(what: string, messages: number): void {
  if (messages !== associations * messagesPerAssociation)
    throw new Error(`${what}: ${messages} messages, expected ${associations * messagesPerAssociation}`);
}

async function produce(topic: string, rate: number): Promise<RateProducerResult> {
  const input: RateProducerInput = {
    brokers: await kafkaBrokers(),
    topic,
    templates: templateEvents.map((e) => JSON.stringify(e)),
    associations,
    rate,
    partitions: PARTITIONS,
    compression: COMPRESSION,
  };
  const worker = new Worker(new URL('./rate-producer.js', import.meta.url), { workerData: input });
  const answer = await new Promise<{ ok: boolean; result?: RateProducerResult; error?: string }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
  await worker.terminate();
  if (!answer.ok || !answer.result) throw new Error(`producer failed: ${answer.error}`);
  return answer.result;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const ASSOCIATION = /association="([0-9a-f-]{36})"/;

const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-atna-bench-'));
const pki = makePki(path.join(dir, 'pki'));
const arr = rsyslog(dir, pki, await freePort(), await freePort(), true);
await arr.start();
const tlsEnv = {
  ...tlsDestinationEnv(arr, pki),
  AUDIT_SYSLOG_CONFIRM_MS: '1000',
  AUDIT_COMMIT_INTERVAL_MS: '1000',
};
/** A busy shared machine delays heartbeats: the default session timeout, not the tests' short one. */
const CONSUMER_TIMEOUTS = { AUDIT_KAFKA_SESSION_TIMEOUT_MS: '30000' };
const KINDS = ['syslog-tls', 'fhir-ndjson'] as const;
const envOf = (kind: (typeof KINDS)[number], topic: string, group: string): Record<string, string> =>
  kind === 'syslog-tls'
    ? { ...tlsEnv, ...CONSUMER_TIMEOUTS, EVENTS_TOPIC: topic, AUDIT_INTERCHANGE_GROUP_ID: group }
    : {
        ...CONSUMER_TIMEOUTS,
        EVENTS_TOPIC: topic,
        AUDIT_INTERCHANGE_GROUP_ID: group,
        AUDIT_FHIR_NDJSON_DIR: path.join(dir, `ndjson-${group}`),
      };
const loadBefore = os.loadavg();
const throughput: Record<string, string | number>[] = [];
const lag: Record<string, string | number>[] = [];
try {
  // 1 and 2: throughput over the events of STORES C-STOREs, produced beforehand.
  const topic = uniqueTopic('atna-bench');
  await createTopic(topic, PARTITIONS);
  await produce(topic, 0);
  for (const kind of KINDS) {
    const linesBefore = arr.lines().length;
    const t0 = performance.now();
    const service = await startService(envOf(kind, topic, `${topic}.${kind}`));
    let total = 0;
    await waitFor(
      () => {
        const s = service.stats();
        total = s.messages;
        if (s.events < totalEvents) return undefined;
        if (kind === 'syslog-tls') return arr.lines().length - linesBefore >= s.messages || undefined;
        return s.delivered >= s.messages || undefined;
      },
      600_000,
      `${kind}: every message delivered`,
    );
    const seconds = (performance.now() - t0) / 1000;
    await service.stop();
    checkCount(kind, total);
    throughput.push({
      run: kind === 'syslog-tls' ? 'Kafka -> rsyslogd over TLS' : 'Kafka -> AuditEvent NDJSON (fsync)',
      c_stores: associations * storesPerAssociation,
      events: totalEvents,
      messages: total,
      seconds: Number(seconds.toFixed(2)),
      'messages/s': Math.round(total / seconds),
      'events/s': Math.round(totalEvents / seconds),
    });
    console.table(throughput.slice(-1));
  }

  // 3: end-to-end lag with the events offered at RATE while the service consumes them.
  for (const kind of KINDS) {
    const lagTopic = uniqueTopic(`atna-bench-lag-${kind}`);
    await createTopic(lagTopic, PARTITIONS);
    const receivedFile = `${arr.output}.received`;
    const receivedBefore = readFileSync(receivedFile, 'utf8').length;
    const ndjsonLags: number[] = [];
    const service = await startService(envOf(kind, lagTopic, `${lagTopic}.lag`), {
      ...(kind === 'fhir-ndjson' ? { onDelivered: (l: readonly number[]) => ndjsonLags.push(...l) } : {}),
    });
    const t0 = performance.now();
    const produced = await produce(lagTopic, RATE);
    const lastEvent = new Map(produced.lastEventMs);
    let lags: number[] = [];
    await waitFor(
      () => {
        const s = service.stats();
        if (s.events < produced.events || s.delivered < s.messages) return undefined;
        if (kind === 'fhir-ndjson') {
          lags = ndjsonLags;
          return true;
        }
        // Every message of the run in rsyslogd's file, with the time it received it.
        const lines = readFileSync(receivedFile, 'utf8').slice(receivedBefore).split('\n');
        const got: number[] = [];
        for (const line of lines) {
          const assoc = ASSOCIATION.exec(line)?.[1];
          const sent = assoc ? lastEvent.get(assoc) : undefined;
          if (sent !== undefined) got.push(Date.parse(line.slice(0, line.indexOf(' '))) - sent);
        }
        if (got.length < s.messages) return undefined;
        lags = got;
        return true;
      },
      600_000,
      `lag run (${kind}) delivered`,
    );
    const seconds = (performance.now() - t0) / 1000;
    const messages = service.stats().messages;
    await service.stop();
    checkCount(`lag ${kind}`, messages);
    const sorted = [...lags].sort((a, b) => a - b);
    lag.push({
      run:
        kind === 'syslog-tls'
          ? 'lag: rsyslogd over TLS (its reception time)'
          : 'lag: AuditEvent NDJSON (fsync)',
      'offered events/s': Math.round(produced.events / produced.seconds),
      events: produced.events,
      messages,
      'kept up: events/s': Math.round(produced.events / seconds),
      'messages/s': Math.round(messages / seconds),
      'p50 ms': Math.round(quantile(sorted, 0.5)),
      'p99 ms': Math.round(quantile(sorted, 0.99)),
      'max ms': Math.round(sorted[sorted.length - 1] ?? Number.NaN),
    });
    console.table(lag.slice(-1));
  }
} finally {
  await arr.stop();
  rmSync(dir, { recursive: true, force: true });
}
const load = `load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')} after; ${os.cpus().length} CPUs`;
console.log(`\nAudit interchange throughput (${load})`);
console.table(throughput);
console.log(`\nEnd-to-end lag at ${RATE} events/s offered (producer compression: ${COMPRESSION})`);
console.table(lag);
const out = path.resolve(here, '../../../../bench-results');
mkdirSync(out, { recursive: true });
writeFileSync(
  path.join(out, 'audit-interchange.json'),
  JSON.stringify(
    { throughput, lag, rate: RATE, cpus: os.cpus().length, loadBefore, loadAfter: os.loadavg() },
    null,
    2,
  ),
);
process.exit(0);
