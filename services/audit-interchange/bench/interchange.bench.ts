/**
 * Audit interchange benchmark (`npm run bench`), on the real Kafka, a real rsyslogd over TLS and real files:
 *  1. messages/s from Kafka to the syslog receiver over TLS: the events of 10,000 C-STOREs (2,500 copies of the
 *     captured storescu association with 4 C-STOREs and a user identity, each a new association: ~3 messages
 *     each) are produced to a fresh topic; one service consumes them from the beginning; the clock runs from its
 *     start until the receiver's file holds every message.
 *  2. AuditEvents/s to NDJSON: the same topic, a new group, the NDJSON destination; until every one is fsync'd.
 *  3. end-to-end lag at 5,000 events/s: the same associations produced at that rate, timestamps taken at
 *     production; lag = delivery (NDJSON fsync'd; syslog TLS counted as delivered, which includes the
 *     AUDIT_SYSLOG_CONFIRM_MS window) minus the time of the association's last event. p50/p99/max.
 * Prints a table and writes bench-results/audit-interchange.json. The machine is shared: numbers are noisy.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DicomtrailEvent } from '@dicomtrail/schemas';
import { freePort, testKafka, uniqueTopic } from '@dicomtrail/testing';
import { CompressionTypes } from 'kafkajs';
import { makePki } from '../test/support/certs.js';
import { rsyslog } from '../test/support/rsyslog.js';
import { accepted, loadSession } from '../test/support/session.js';
import { asNewTraffic, createTopic, startService, waitFor } from '../test/support/stack.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const STORES = Number(process.env['BENCH_C_STORES'] ?? 10_000);
const RATE = Number(process.env['BENCH_EVENTS_PER_S'] ?? 5000);
const LAG_SECONDS = Number(process.env['BENCH_LAG_SECONDS'] ?? 20);

const session = loadSession('audit-session');
const template = accepted(session, 'MODALITY', (a) => a.userIdentity !== undefined);
const templateEvents = session.filter((e) => 'association' in e && e.association.id === template.id);
const storesPerAssociation = templateEvents.filter((e) => e.type === 'EVT_C_STORE').length;

function traffic(associations: number): DicomtrailEvent[] {
  const out: DicomtrailEvent[] = [];
  for (let i = 0; i < associations; i++) out.push(...asNewTraffic(templateEvents));
  return out;
}

async function produce(topic: string, events: readonly DicomtrailEvent[], perSecond?: number): Promise<void> {
  const producer = (await testKafka('dt-atna-bench')).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const chunk = perSecond ? Math.max(1, Math.round(perSecond / 20)) : 500;
  const t0 = Date.now();
  for (let i = 0; i < events.length; i += chunk) {
    const slice = events.slice(i, i + chunk);
    const now = new Date().toISOString().replace('Z', '000Z');
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: slice.map((e) => ({
        key: 'association' in e ? e.association.id : e.node.id,
        value: JSON.stringify(perSecond ? { ...e, timestamp: now } : e),
        headers: { type: e.type, schema: e.schema },
      })),
    });
    if (perSecond) {
      const due = t0 + ((i + chunk) / perSecond) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  await producer.disconnect();
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-atna-bench-'));
const pki = makePki(path.join(dir, 'pki'));
const arr = rsyslog(dir, pki, await freePort(), await freePort());
await arr.start();
const tlsEnv = {
  AUDIT_SYSLOG_TRANSPORT: 'tls',
  AUDIT_SYSLOG_PORT: String(arr.tlsPort),
  AUDIT_SYSLOG_SERVERNAME: 'localhost',
  AUDIT_SYSLOG_CA_FILE: pki.ca,
  AUDIT_SYSLOG_CERT_FILE: pki.clientCert,
  AUDIT_SYSLOG_KEY_FILE: pki.clientKey,
  AUDIT_SYSLOG_CONFIRM_MS: '1000',
  AUDIT_COMMIT_INTERVAL_MS: '1000',
};
/** A busy shared machine delays heartbeats: the default session timeout, not the tests' short one. */
const SESSION = { AUDIT_KAFKA_SESSION_TIMEOUT_MS: '30000' };
const rows: Record<string, string | number>[] = [];
try {
  // 1 and 2: throughput over the events of STORES C-STOREs, produced beforehand.
  const associations = Math.ceil(STORES / storesPerAssociation);
  const events = traffic(associations);
  const topic = uniqueTopic('atna-bench');
  await createTopic(topic, 3);
  await produce(topic, events);
  for (const kind of ['syslog-tls', 'fhir-ndjson'] as const) {
    const env: Record<string, string> =
      kind === 'syslog-tls'
        ? { ...tlsEnv, EVENTS_TOPIC: topic, AUDIT_INTERCHANGE_GROUP_ID: `${topic}.${kind}` }
        : {
            EVENTS_TOPIC: topic,
            AUDIT_INTERCHANGE_GROUP_ID: `${topic}.${kind}`,
            AUDIT_FHIR_NDJSON_DIR: path.join(dir, 'ndjson'),
          };
    const linesBefore = arr.lines().length;
    const t0 = performance.now();
    const service = await startService({ ...env, ...SESSION });
    let total = 0;
    await waitFor(
      () => {
        const s = service.stats();
        total = s.messages;
        if (s.events < events.length) return undefined;
        if (kind === 'syslog-tls') return arr.lines().length - linesBefore >= s.messages || undefined;
        return s.delivered >= s.messages || undefined;
      },
      600_000,
      `${kind}: every message delivered`,
    );
    const seconds = (performance.now() - t0) / 1000;
    await service.stop();
    rows.push({
      run: kind === 'syslog-tls' ? 'Kafka -> rsyslog over TLS' : 'Kafka -> AuditEvent NDJSON',
      c_stores: associations * storesPerAssociation,
      events: events.length,
      messages: total,
      seconds: Number(seconds.toFixed(2)),
      'messages/s': Math.round(total / seconds),
      'events/s': Math.round(events.length / seconds),
    });
    console.table(rows.slice(-1));
  }

  // 3: lag at RATE events/s, to NDJSON and to syslog TLS at once (one service, both destinations).
  const lagTopic = uniqueTopic('atna-bench-lag');
  await createTopic(lagTopic, 3);
  const perAssociation = templateEvents.length;
  const lagEvents = traffic(Math.ceil((RATE * LAG_SECONDS) / perAssociation));
  const lags: number[] = [];
  const ndjsonLags: number[] = [];
  const service = await startService(
    { ...tlsEnv, ...SESSION, EVENTS_TOPIC: lagTopic, AUDIT_INTERCHANGE_GROUP_ID: `${lagTopic}.lag` },
    { onDelivered: (l) => lags.push(...l) },
  );
  const ndjsonService = await startService(
    {
      ...SESSION,
      EVENTS_TOPIC: lagTopic,
      AUDIT_INTERCHANGE_GROUP_ID: `${lagTopic}.lag-ndjson`,
      AUDIT_FHIR_NDJSON_DIR: path.join(dir, 'ndjson-lag'),
    },
    { onDelivered: (l) => ndjsonLags.push(...l) },
  );
  const t0 = performance.now();
  await produce(lagTopic, lagEvents, RATE);
  const produceSeconds = (performance.now() - t0) / 1000;
  await waitFor(
    () =>
      (service.stats().events >= lagEvents.length && service.stats().delivered >= service.stats().messages) ||
      undefined,
    120_000,
    'lag run delivered (TLS)',
  );
  await waitFor(
    () =>
      (ndjsonService.stats().events >= lagEvents.length &&
        ndjsonService.stats().delivered >= ndjsonService.stats().messages) ||
      undefined,
    120_000,
    'lag run delivered (NDJSON)',
  );
  await service.stop();
  await ndjsonService.stop();
  for (const [name, values] of [
    ['syslog TLS (incl. 1 s confirmation)', lags],
    ['AuditEvent NDJSON (fsync)', ndjsonLags],
  ] as const) {
    const sorted = [...values].sort((a, b) => a - b);
    rows.push({
      run: `lag at ${Math.round(lagEvents.length / produceSeconds)} events/s: ${name}`,
      c_stores: (lagEvents.length / perAssociation) * storesPerAssociation,
      events: lagEvents.length,
      messages: sorted.length,
      'p50 ms': Math.round(quantile(sorted, 0.5)),
      'p99 ms': Math.round(quantile(sorted, 0.99)),
      'max ms': Math.round(sorted[sorted.length - 1] ?? Number.NaN),
    });
  }
} finally {
  await arr.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
const out = path.resolve(here, '../../../../bench-results');
mkdirSync(out, { recursive: true });
writeFileSync(
  path.join(out, 'audit-interchange.json'),
  JSON.stringify({ rows, cpus: os.cpus().length, loadavg: os.loadavg() }, null, 2),
);
process.exit(0);
