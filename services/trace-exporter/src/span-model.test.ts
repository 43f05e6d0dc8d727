/**
 * Span reconstruction from a real dcmtk capture's events (test/fixtures/dcmtk-capture.jsonl.gz, SOURCE.md beside
 * it): storescu, findscu, getscu (C-STORE sub-operations), echoscu --abort, a reject. Pure: no Kafka, no SDK.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { OffsetTracker } from '@dicomtrail/event-log';
import { associationSpanId, associationTraceId } from '@dicomtrail/schemas';
import type { AssociationEvent } from './association-record.js';
import { AssociationTracker, type ClosedAssociation } from './association-tracker.js';
import { ALL_ATTRIBUTE_KEYS, PHI_KEYS } from './attributes.js';
import { buildSpans, type SpanDescription } from './span-model.js';

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../test/fixtures/dcmtk-capture.jsonl.gz',
);
const EVENTS: AssociationEvent[] = gunzipSync(readFileSync(FIXTURE))
  .toString('utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as AssociationEvent);

const OPTS = {
  pduEvents: false,
  fsmEvents: false,
  maxSpanEvents: 128,
  maxOpen: 100,
  timeoutMs: 1000,
  recentlyClosed: 100,
};

function run(events: readonly AssociationEvent[], opts: Partial<typeof OPTS> = {}, from = 0) {
  const offsets = new OffsetTracker();
  const tracker = new AssociationTracker({ ...OPTS, ...opts }, offsets);
  const closed: ClosedAssociation[] = [];
  events.forEach((e, i) => {
    closed.push(...tracker.accept(e, { topic: 't', partition: 0, offset: from + i }, 0));
    offsets.read('t', 0, from + i);
  });
  return { tracker, offsets, closed };
}

function tracesByCaller(
  closed: readonly ClosedAssociation[],
  includePhi = false,
): Map<string, SpanDescription[]> {
  const out = new Map<string, SpanDescription[]>();
  for (const c of closed)
    out.set(c.record.association.calling_ae_title, buildSpans(c.record, { includePhi }));
  return out;
}

const envelopesOf = (ae: string) => {
  const id = EVENTS.find((e) => e.association.calling_ae_title === ae)!.association.id;
  return EVENTS.filter((e) => e.association.id === id);
};

test('storescu: root span from EVT_REQUESTED to EVT_RELEASED, two C-STORE children with the envelope ids', () => {
  const [root, ...ops] = tracesByCaller(run(EVENTS).closed).get('STORER')!;
  const evs = envelopesOf('STORER');
  assert.equal(root!.name, 'DICOM association STORER -> DICOMTRAIL');
  assert.equal(root!.kind, 'server');
  assert.equal(root!.traceId, evs[0]!.trace.trace_id);
  assert.equal(root!.spanId, evs[0]!.trace.span_id);
  assert.equal(root!.parentSpanId, undefined);
  const us = (type: string) => {
    const ts = evs.find((e) => e.type === type)!.timestamp;
    return Date.parse(`${ts.slice(0, 19)}Z`) * 1000 + Number(ts.slice(20, 26));
  };
  assert.equal(root!.startUs, us('EVT_REQUESTED'));
  assert.equal(root!.endUs, us('EVT_RELEASED'));
  assert.deepEqual(root!.status, { code: 'unset' });
  assert.equal(root!.attributes['dicom.outcome'], 'released');
  assert.equal(ops.length, 2);
  const storeIds = evs.filter((e) => e.type === 'EVT_C_STORE').map((e) => e.trace.span_id);
  for (const [i, op] of ops.entries()) {
    assert.equal(op.name, 'C-STORE Secondary Capture Image Storage');
    assert.equal(op.parentSpanId, root!.spanId);
    assert.equal(op.spanId, storeIds[i]);
    assert.equal(op.attributes['dicom.status'], 0);
    assert.equal(op.attributes['dicom.transfer_syntax_uid'], '1.2.840.10008.1.2.1');
    assert.ok(op.startUs >= root!.startUs && op.endUs <= root!.endUs);
  }
});

test('C-GET: the C-STOREs this node sends are children of the C-GET, with sub-operation progress events', () => {
  const [root, ...ops] = tracesByCaller(run(EVENTS).closed).get('GETTER')!;
  const get = ops.find((o) => o.attributes['dicom.service'] === 'C-GET')!;
  assert.equal(get.name, 'C-GET Patient Root Query/Retrieve Information Model - GET');
  assert.equal(get.parentSpanId, root!.spanId);
  assert.equal(get.attributes['dicom.suboperations.completed'], 2);
  assert.equal(get.attributes['dicom.suboperations.failed'], 0);
  assert.deepEqual(
    get.events.map((e) => [e.name, e.attributes['dicom.suboperations.completed']]),
    [
      ['pending response', 1],
      ['pending response', 2],
    ],
  );
  const subs = ops.filter((o) => o.attributes['dicom.service'] === 'C-STORE');
  assert.equal(subs.length, 2);
  for (const s of subs) {
    assert.equal(s.parentSpanId, get.spanId);
    assert.equal(s.kind, 'client');
    assert.equal(s.attributes['dicom.direction'], 'out');
    assert.notEqual(s.spanId, get.spanId);
  }
});

test('C-FIND: responses counted, query level kept, PHI only when configured', () => {
  const find = tracesByCaller(run(EVENTS).closed).get('FINDER')![1]!;
  assert.equal(find.attributes['dicom.responses'], 2);
  assert.equal(find.attributes['dicom.query_retrieve_level'], 'STUDY');
  for (const k of PHI_KEYS) assert.equal(find.attributes[k], undefined);
  const phi = tracesByCaller(run(EVENTS).closed, true).get('FINDER')![1]!;
  assert.equal(phi.attributes['dicom.patient_id'], 'PID-TRACE');
});

test('abort and reject: error status with the cause', () => {
  const traces = tracesByCaller(run(EVENTS).closed);
  const [abortRoot, echo] = traces.get('ABORTER')!;
  assert.equal(abortRoot!.status.code, 'error');
  assert.equal(abortRoot!.status.message, 'aborted by service-user: not-significant');
  assert.equal(echo!.name, 'C-ECHO Verification');
  const [reject] = traces.get('WRONGER')!;
  assert.equal(reject!.status.code, 'error');
  assert.match(
    reject!.status.message!,
    /^rejected \(rejected-permanent\) by service-user: called-ae-title-not-recognized/,
  );
  assert.equal(reject!.attributes['dicom.cause.reason'], 'called-ae-title-not-recognized');
});

test('interrupted by a crash: storescu cut off after its first C-STORE, then EVT_ASSOCIATION_INTERRUPTED at restart', () => {
  const evs = envelopesOf('STORER');
  const firstStore = evs.findIndex((e) => e.type === 'EVT_C_STORE');
  const kept = evs.slice(0, firstStore + 1);
  const last = kept.at(-1)!;
  const interrupted = {
    ...last,
    id: '01900000-0000-7000-8000-000000000001',
    type: 'EVT_ASSOCIATION_INTERRUPTED',
    kind: 'notification',
    seq: last.seq + 1,
    timestamp: '2099-01-01T00:00:00.000000Z',
    trace: { trace_id: last.trace.trace_id, span_id: evs[0]!.trace.span_id },
    params: {
      node_id: last.node.id,
      last_seq: last.seq,
      last_type: last.type,
      last_timestamp: last.timestamp,
      detail: 'the node stopped without closing the association (crash, kill or power loss)',
    },
  } as unknown as AssociationEvent;
  const { closed } = run([...kept, interrupted]);
  assert.equal(closed.length, 1, 'exported at once: nothing follows an interruption');
  const [root, ...ops] = buildSpans(closed[0]!.record, { includePhi: false });
  assert.equal(root!.attributes['dicom.outcome'], 'interrupted');
  assert.equal(root!.status.code, 'error');
  assert.match(root!.status.message!, /^interrupted: the node stopped .* last seq \d+\)$/);
  const lastUs = Date.parse(`${last.timestamp.slice(0, 19)}Z`) * 1000 + Number(last.timestamp.slice(20, 26));
  assert.equal(root!.endUs, lastUs, 'the span ends at the last event before the crash, not at the restart');
  assert.equal(ops.length, 1);
  assert.equal(ops[0]!.attributes['dicom.status'], 0);
});

test('every attribute key is declared in attributes.ts; FSM and PDU span events only when enabled', () => {
  const all = [
    ...tracesByCaller(run(EVENTS, { fsmEvents: true, pduEvents: true }).closed, true).values(),
  ].flat();
  for (const s of all) for (const k of Object.keys(s.attributes)) assert.ok(ALL_ATTRIBUTE_KEYS.has(k), k);
  const root = all.find((s) => s.name === 'DICOM association STORER -> DICOMTRAIL')!;
  assert.ok(root.events.some((e) => e.name === 'Sta6 Evt12 AR-2 -> Sta8'));
  assert.ok(root.events.some((e) => e.name === 'A-ASSOCIATE-RQ received'));
  const plain = tracesByCaller(run(EVENTS).closed).get('STORER')![0]!;
  assert.deepEqual(
    plain.events.map((e) => e.name),
    ['A-ASSOCIATE request', 'A-ASSOCIATE accept', 'established', 'A-RELEASE'],
  );
});

test('a replay gives the same spans; duplicates are dropped', () => {
  const once = run(EVENTS).closed.map((c) => buildSpans(c.record, { includePhi: false }));
  const twice = run([...EVENTS, ...EVENTS]);
  assert.deepEqual(
    twice.closed.map((c) => buildSpans(c.record, { includePhi: false })),
    once,
  );
  assert.equal(twice.tracker.stats.late, EVENTS.length);
});

test('offsets: committable up to the oldest open association, then past everything once all are closed', () => {
  const storer = envelopesOf('STORER');
  const finder = envelopesOf('FINDER');
  // STORER complete, FINDER without its end: the commit stops at FINDER's first event.
  const partial = [...storer, ...finder.slice(0, 10)];
  const { offsets, closed, tracker } = run(partial);
  assert.equal(closed.length, 1);
  assert.deepEqual(offsets.committable(), [{ topic: 't', partition: 0, offset: String(storer.length) }]);
  // The timeout closes FINDER as incomplete and says so.
  const expired = tracker.expire(OPTS.timeoutMs + 1);
  assert.equal(expired.length, 1);
  const [root] = buildSpans(expired[0]!.record, { includePhi: false, incomplete: 'timeout' });
  assert.equal(root!.attributes['dicom.outcome'], 'incomplete');
  assert.equal(root!.attributes['dicom.incomplete_reason'], 'timeout');
  assert.equal(root!.status.code, 'error');
  assert.deepEqual(offsets.committable(), [{ topic: 't', partition: 0, offset: String(partial.length) }]);
});

test('after a restart, the tail of an association exported before it is skipped, not exported as a fragment', () => {
  const storer = envelopesOf('STORER');
  const { closed } = run(storer.slice(20), {}, 20);
  assert.equal(closed.length, 1);
  assert.equal(closed[0]!.replayedTail, true);
});

test('a full map evicts the least recently active association as incomplete', () => {
  const { closed } = run([...envelopesOf('STORER').slice(0, 10), ...envelopesOf('FINDER').slice(0, 10)], {
    maxOpen: 1,
  });
  assert.equal(closed.length, 1);
  assert.equal(closed[0]!.incomplete, 'evicted');
  assert.equal(closed[0]!.record.association.calling_ae_title, 'STORER');
});

test("a proxy's upstream association: its own trace, linked to the root span of the association it serves", () => {
  const served = '0193a5f0-1111-7000-8000-00000000abcd';
  const upstream = envelopesOf('STORER').map((e) => ({
    ...e,
    association: { ...e.association, role: 'requestor' as const },
    parent: { association_id: served },
  }));
  const [root] = tracesByCaller(run(upstream).closed).get('STORER')!;
  assert.equal(root!.kind, 'client');
  assert.equal(root!.attributes['dicom.parent.association_id'], served);
  assert.equal(root!.attributes['dicom.parent.message_id'], undefined);
  assert.deepEqual(
    root!.links.map((l) => [l.traceId, l.spanId]),
    [[associationTraceId(served), associationSpanId(served)]],
  );
});

/** STORER's events with every C-STORE failed (0xA700) and an error comment that quotes the instance UID. */
function failedStores(): AssociationEvent[] {
  const storer = envelopesOf('STORER')[0]!.association.id;
  const fail = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (o['status'] === 0) {
      o['status'] = 0xa700;
      o['status_category'] = 'failure';
      o['error_comment'] =
        `out of space for ${String(o['affected_sop_instance_uid'] ?? '1.2.826.0.1.3680043.10.1386.99.1')}`;
    }
    for (const child of Object.values(o)) fail(child);
  };
  return EVENTS.map((e) => {
    if (e.association.id !== storer) return e;
    const copy = structuredClone(e);
    fail(copy.params);
    return copy;
  });
}

test('C-STORE: instance, study and series UIDs and the error comment only with TRACE_INCLUDE_PHI', () => {
  const events = failedStores();
  const [, plain] = tracesByCaller(run(events).closed).get('STORER')!;
  assert.equal(plain!.attributes['dicom.status_category'], 'failure');
  for (const k of PHI_KEYS) assert.equal(plain!.attributes[k], undefined, `${k} without PHI`);
  assert.equal(plain!.status.message, 'status 0xA700 (failure)');
  assert.doesNotMatch(JSON.stringify(plain), /1\.2\.826\.0\.1\.3680043\.10\.1386\.99\.[123]\b/);

  const [, phi] = tracesByCaller(run(events).closed, true).get('STORER')!;
  assert.equal(phi!.attributes['dicom.sop_instance_uid'], '1.2.826.0.1.3680043.10.1386.99.1');
  assert.equal(phi!.attributes['dicom.study_instance_uid'], '1.2.826.0.1.3680043.10.1386.99.2');
  assert.equal(phi!.attributes['dicom.series_instance_uid'], '1.2.826.0.1.3680043.10.1386.99.3');
  assert.equal(phi!.attributes['dicom.patient_name'], 'Doe^Jane');
  assert.match(String(phi!.attributes['dicom.error_comment']), /^out of space for 1\.2\.826/);
  assert.match(phi!.status.message!, /^status 0xA700 \(failure\): out of space for /);
});

test('an association over DICOM TLS: the root span carries the tls.* attributes of the peer certificate', () => {
  const evs = envelopesOf('STORER').map((e) =>
    e.type === 'EVT_CONN_OPEN'
      ? ({
          ...e,
          params: {
            ...e.params,
            tls: {
              protocol: 'TLSv1.3',
              cipher: 'TLS_AES_256_GCM_SHA384',
              peer_certificate: {
                subject: 'CN=modality-01',
                issuer: 'CN=hospital-ca',
                serial: '01',
                sha256: 'AB:CD',
              },
              peer_verified: true,
            },
          },
        } as AssociationEvent)
      : e,
  );
  const [root] = tracesByCaller(run(evs).closed).get('STORER')!;
  const a = root!.attributes;
  assert.equal(a['tls.protocol.name'], 'tls');
  assert.equal(a['tls.protocol.version'], '1.3');
  assert.equal(a['tls.cipher'], 'TLS_AES_256_GCM_SHA384');
  assert.equal(a['tls.client.subject'], 'CN=modality-01');
  assert.equal(a['tls.client.issuer'], 'CN=hospital-ca');
  assert.equal(a['tls.client.hash.sha256'], 'ABCD');
  assert.equal(a['dicom.tls.peer_verified'], true);
  for (const k of Object.keys(a)) assert.ok(ALL_ATTRIBUTE_KEYS.has(k), k);
  const [plain] = tracesByCaller(run(envelopesOf('STORER')).closed).get('STORER')!;
  assert.equal(plain!.attributes['tls.protocol.name'], undefined);
});
