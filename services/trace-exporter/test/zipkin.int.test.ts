/**
 * dcmtk → adapter (its own process) → Kafka → trace exporter → Zipkin, asserted through Zipkin's own API:
 * one trace per association, the span tree, names, attributes, timing (the events' timestamps) and status.
 * storescu and findscu runs, a rejected and an aborted association.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { associationTraceId } from '@dicomtrail/schemas';
import { readTopic, runDcmtk, uniqueTopic } from '@dicomtrail/testing';
import { ALL_ATTRIBUTE_KEYS } from '../src/attributes.js';
import type { TraceExporter } from '../src/index.js';
import {
  type Adapter,
  exporterEnv,
  rootOf,
  startAdapter,
  startExporterInProcess,
  waitForTrace,
  writeInstance,
  type ZipkinSpan,
  zipkinGet,
} from './support/stack.js';

const topic = uniqueTopic('trace-zipkin');
const service = `dicomtrail-test-${Date.now().toString(36)}`;
let adapter: Adapter;
let exporter: TraceExporter;
let dir: string;
const STUDY = `1.2.826.0.1.3680043.10.1386.77.${Date.now()}`;
const SC = '1.2.840.10008.5.1.4.1.1.7';

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-trace-files-'));
  adapter = await startAdapter(topic);
  exporter = await startExporterInProcess(await exporterEnv(topic, service));
});
after(async () => {
  await exporter?.stop();
  await adapter?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Envelopes of the association whose calling AE title is `ae`, from the topic. */
async function eventsOf(ae: string) {
  const records = await readTopic(topic, {
    until: (rs) =>
      rs.some(
        (r) =>
          r.value?.toString().includes(`"calling_ae_title":"${ae}"`) &&
          r.value.toString().includes('"EVT_CONN_CLOSE"'),
      ),
    timeoutMs: 10_000,
  });
  // Association events only: the topic also carries the adapter's node-scoped EVT_NODE_STARTED.
  const all = records
    .map(
      (r) =>
        JSON.parse(r.value!.toString()) as {
          association?: { id: string; calling_ae_title: string };
          type: string;
          timestamp: string;
          trace: { trace_id: string; span_id: string };
        },
    )
    .filter(
      (e): e is typeof e & { association: { id: string; calling_ae_title: string } } => !!e.association,
    );
  const id = all.find((e) => e.association.calling_ae_title === ae)!.association.id;
  return all.filter((e) => e.association.id === id);
}

function micros(ts: string): number {
  return Date.parse(`${ts.slice(0, 19)}Z`) * 1000 + Number(ts.slice(20, 26));
}

function assertKnownKeys(trace: readonly ZipkinSpan[]): void {
  for (const s of trace)
    for (const k of Object.keys(s.tags ?? {}))
      assert.ok(
        ALL_ATTRIBUTE_KEYS.has(k) ||
          [
            'otel.status_code',
            'error',
            'otel.scope.name',
            'otel.scope.version',
            'service.version',
            'service.name',
            'telemetry.sdk.language',
            'telemetry.sdk.name',
            'telemetry.sdk.version',
          ].includes(k),
        `tag ${k} is declared in attributes.ts`,
      );
}

test('storescu: one trace, root span with two C-STORE children, timing from the events, no PHI', async () => {
  const files = [1, 2].map((i) => path.join(dir, `s${i}.dcm`));
  for (const [i, f] of files.entries())
    await writeInstance(f, { sopInstanceUid: `${STUDY}.${i + 1}`, studyUid: STUDY });
  const r = await runDcmtk('storescu', [
    '-aet',
    'TRACE_STORE',
    '-aec',
    'DICOMTRAIL',
    '127.0.0.1',
    String(adapter.port),
    ...files,
  ]);
  assert.equal(r.code, 0, r.stderr);

  const trace = await waitForTrace(service, 'TRACE_STORE', 3);
  const events = await eventsOf('TRACE_STORE');
  assert.equal(trace.length, 3);
  const root = rootOf(trace)!;
  assert.equal(root.traceId, associationTraceId(events[0]!.association.id));
  assert.equal(root.name, 'dicom association trace_store -> dicomtrail'); // Zipkin lower-cases names
  assert.equal(root.kind, 'SERVER');
  assert.equal(root.localEndpoint?.serviceName, service);
  const tags = root.tags!;
  assert.equal(tags['dicom.association_id'], events[0]!.association.id);
  assert.equal(tags['dicom.called_ae_title'], 'DICOMTRAIL');
  assert.equal(tags['dicom.outcome'], 'released');
  assert.equal(tags['dicom.operations'], '2');
  assert.equal(tags['network.peer.address'], '127.0.0.1');
  assert.equal(tags['server.port'], String(adapter.port));
  assert.ok(Number(tags['dicom.bytes_received']) > 0);
  assert.equal(tags['otel.status_code'], undefined);
  // Timing: from EVT_REQUESTED to EVT_RELEASED, as recorded by the adapter.
  const requested = events.find((e) => e.type === 'EVT_REQUESTED')!;
  const released = events.find((e) => e.type === 'EVT_RELEASED')!;
  assert.equal(root.timestamp, micros(requested.timestamp));
  assert.equal(root.timestamp + root.duration!, micros(released.timestamp));

  const stores = trace.filter((s) => s.parentId === root.id).sort((a, b) => a.timestamp - b.timestamp);
  assert.equal(stores.length, 2);
  const interventions = events.filter((e) => e.type === 'EVT_C_STORE');
  for (const [i, s] of stores.entries()) {
    assert.equal(s.name, 'c-store secondary capture image storage');
    assert.equal(s.id, interventions[i]!.trace.span_id, 'the span id is the envelope operation span id');
    assert.equal(s.tags!['dicom.sop_class_uid'], SC);
    assert.equal(s.tags!['dicom.sop_instance_uid'], undefined, 'no instance UID unless configured');
    assert.equal(s.tags!['dicom.status'], '0');
    assert.equal(s.tags!['dicom.status_category'], 'success');
    assert.equal(s.tags!['dicom.message_id'], String(i + 1));
    assert.ok(Number(s.tags!['dicom.bytes']) > 0);
    assert.equal(s.tags!['dicom.patient_id'], undefined, 'no PHI unless configured');
    assert.doesNotMatch(JSON.stringify(s), new RegExp(STUDY.replaceAll('.', '\\.')), 'no UID anywhere');
    assert.ok(s.timestamp >= root.timestamp && s.timestamp + s.duration! <= root.timestamp + root.duration!);
  }
  assertKnownKeys(trace);
});

test('findscu: C-FIND span with the match count in responses, study-level query', async () => {
  const r = await runDcmtk('findscu', [
    '-S',
    '-aet',
    'TRACE_FIND',
    '-aec',
    'DICOMTRAIL',
    '-k',
    'QueryRetrieveLevel=STUDY',
    '-k',
    `StudyInstanceUID=${STUDY}`,
    '-k',
    'PatientID',
    '127.0.0.1',
    String(adapter.port),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const trace = await waitForTrace(service, 'TRACE_FIND', 2);
  assert.equal(trace.length, 2);
  const root = rootOf(trace)!;
  const find = trace.find((s) => s.parentId === root.id)!;
  assert.equal(find.name, 'c-find study root query/retrieve information model - find');
  assert.equal(find.kind, 'SERVER');
  assert.equal(find.tags!['dicom.service'], 'C-FIND');
  assert.equal(find.tags!['dicom.query_retrieve_level'], 'STUDY');
  assert.equal(find.tags!['dicom.responses'], '2', 'one match (pending) and the final success');
  assert.equal(find.tags!['dicom.status'], '0');
  assert.equal(find.tags!['otel.status_code'], undefined);
  assertKnownKeys(trace);
});

test('a rejected association: error status with the cause', async () => {
  const r = await runDcmtk('echoscu', [
    '-aet',
    'TRACE_REJECT',
    '-aec',
    'NOT_US',
    '127.0.0.1',
    String(adapter.port),
  ]);
  assert.notEqual(r.code, 0);
  const trace = await waitForTrace(service, 'TRACE_REJECT', 1);
  assert.equal(trace.length, 1);
  const tags = rootOf(trace)!.tags!;
  assert.equal(tags['otel.status_code'], 'ERROR');
  assert.match(
    tags['error']!,
    /rejected \(rejected-permanent\) by service-user: called-ae-title-not-recognized/,
  );
  assert.equal(tags['dicom.outcome'], 'rejected');
  assert.equal(tags['dicom.cause.reason'], 'called-ae-title-not-recognized');
  assert.equal(tags['error.type'], 'called-ae-title-not-recognized');
});

test('an aborted association: error status with the cause, its C-ECHO still a child', async () => {
  const r = await runDcmtk('echoscu', [
    '--abort',
    '-aet',
    'TRACE_ABORT',
    '-aec',
    'DICOMTRAIL',
    '127.0.0.1',
    String(adapter.port),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const trace = await waitForTrace(service, 'TRACE_ABORT', 2);
  const root = rootOf(trace)!;
  assert.equal(root.tags!['otel.status_code'], 'ERROR');
  assert.match(root.tags!['error']!, /aborted by service-user: not-significant/);
  assert.equal(root.tags!['dicom.outcome'], 'aborted');
  assert.equal(root.tags!['dicom.cause.initiator'], 'remote');
  const echo = trace.find((s) => s.parentId === root.id)!;
  assert.equal(echo.name, 'c-echo verification');
  // The trace page's own query answers the same.
  const byId = await zipkinGet<ZipkinSpan[]>(`/api/v2/trace/${root.traceId}`);
  assert.equal(byId.length, trace.length);
});
