import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CTX, captureMessages, loadCapture, PATIENT_A, STUDY_A } from '../test/support/captured-traffic.js';
import { AuditPipeline } from './audit-pipeline.js';

test('given the captured traffic, when piped, then every kind appears with the counts SOURCE.md lists', () => {
  const counts = new Map<string, number>();
  for (const m of captureMessages(loadCapture('audit-capture')))
    counts.set(m.eventId.code, (counts.get(m.eventId.code) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries([...counts].sort()), {
    '110100': 2,
    '110102': 5,
    '110103': 2,
    '110104': 6,
    '110109': 3,
    '110112': 2,
    '110113': 3,
    '110114': 1,
  });
});

test('given a proxied storescu, when piped, then the exchange is described once: MODALITY to the PACS, via the proxy', () => {
  const events = loadCapture('proxy-capture');
  const messages = captureMessages(events).filter((m) => m.eventId.code !== '110100');
  assert.deepEqual(
    messages.map((m) => m.eventId.code),
    ['110102', '110104'],
  );
  const upstream = events.find(
    (e) => 'association' in e && e.association.role === 'requestor' && e.association.remote.address !== '',
  );
  assert.ok(upstream && 'association' in upstream);
  const [source, destination, proxy] = messages[1]!.participants;
  assert.equal(source!.userId, 'MODALITY');
  assert.deepEqual(
    [destination!.userId, destination!.networkAccessPoint?.id],
    ['DICOMTRAIL', upstream.association.remote.address],
  );
  assert.equal(proxy!.userId, 'capture-node');
  assert.equal(
    proxy!.userName,
    `dicomtrail audit proxy relaying to DICOMTRAIL@${upstream.association.remote.address}:${upstream.association.remote.port}`,
  );
});

test('given the events again (a replay), when piped, then the same messages with the same ids', () => {
  const events = loadCapture('audit-capture');
  assert.deepEqual(
    captureMessages(events).map((m) => m.id),
    captureMessages(events).map((m) => m.id),
  );
  assert.equal(new Set(captureMessages(events).map((m) => m.id)).size, captureMessages(events).length);
});

test('given only the tail of an association (re-read after a restart), when piped, then no messages', () => {
  const events = loadCapture('audit-capture');
  const id = events.find((e) => e.type === 'EVT_C_GET' && 'association' in e);
  assert.ok(id && 'association' in id);
  const tail = events.filter(
    (e) => 'association' in e && e.association.id === id.association.id && e.seq > id.seq - 3,
  );
  const p = new AuditPipeline(CTX, { timeoutMs: 1e12, maxOpen: 10, recentlyClosed: 10 });
  const ready = tail.flatMap((e) => p.accept(e, undefined, 0).ready);
  assert.equal(ready.length, 1);
  assert.equal(ready[0]!.replayedTail, true);
  assert.deepEqual(ready[0]!.messages, []);
});

test('given an association that never ends, when it idles past the timeout, then its messages come with what it has', () => {
  const events = loadCapture('audit-capture');
  const get = events.find((e) => e.type === 'EVT_C_GET' && 'association' in e);
  assert.ok(get && 'association' in get);
  const head = events.filter(
    (e) => 'association' in e && e.association.id === get.association.id && e.seq <= get.seq,
  );
  const p = new AuditPipeline(CTX, { timeoutMs: 1000, maxOpen: 10, recentlyClosed: 10 });
  for (const e of head) assert.deepEqual(p.accept(e, undefined, 0).ready, []);
  assert.deepEqual(p.expire(999), []);
  const [r] = p.expire(1000);
  assert.equal(r!.incomplete, 'timeout');
  assert.deepEqual(r!.messages.map((m) => m.eventId.code).sort(), ['110102', '110103', '110104']);
});

test('given a C-MOVE and its sub-association (scp mode), when piped, then its messages name the patient and SOP class moved', () => {
  const messages = captureMessages(loadCapture('audit-capture'));
  const move = messages.filter(
    (m) =>
      m.participants.some((p) => p.userId === 'MOVEDEST') ||
      (m.eventId.code === '110103' && m.participants[0]?.userId === 'VIEWER'),
  );
  const transferred = move.filter((m) => m.eventId.code === '110104');
  assert.deepEqual(
    transferred.map((m) => [m.outcome, m.objects.map((o) => o.id)]),
    [
      [0, [STUDY_A, PATIENT_A]],
      [4, [STUDY_A, PATIENT_A]],
    ],
  );
  assert.deepEqual(transferred[0]!.objects[0]!.sopClasses, [
    { uid: '1.2.840.10008.5.1.4.1.1.7', numberOfInstances: 3 },
  ]);
  const accessed = move.find((m) => m.eventId.code === '110103');
  assert.deepEqual(
    accessed?.objects.map((o) => o.id),
    [STUDY_A, PATIENT_A],
  );
});
