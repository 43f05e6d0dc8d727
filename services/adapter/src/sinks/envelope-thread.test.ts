/**
 * Envelopes built in the envelope thread are the envelopes the sink builds on its own thread, byte for
 * byte (but the UUIDv7 `id`), schema-valid, in the order given, with the C-STORE header decoded there.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRecord } from '@dicomtrail/event-log';
import { HEADER_SCHEMA, HEADER_TYPE } from '@dicomtrail/event-log';
import { createLogger } from '@dicomtrail/runtime';
import { isEvent, SCHEMA_ID } from '@dicomtrail/schemas';
import type { AdapterEvent, AssociationInfo } from '../association/types.js';
import { DeferredDicomJson, resolveHere } from '../dataset/deferred-dicom-json.js';
import { encodeDataset } from '../dataset/encode-dataset.js';
import { encodeEnvelope } from './envelope-encoder.js';
import { EnvelopeThread, type InvalidEvent, recordOf } from './envelope-thread.js';

const log = createLogger('envelope-thread-test', { level: process.env['LOG_LEVEL'] ?? 'silent' });
const node = { id: 'test', hostname: 'test-host', version: '0.1.0', mode: 'scp' as const };
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const SC = '1.2.840.10008.5.1.4.1.1.7';

const association: AssociationInfo = Object.freeze({
  id: '0193a8c2-5f10-7a3e-9c41-2b7d0e6f4a11',
  role: 'acceptor' as const,
  calling_ae_title: 'STORESCU',
  called_ae_title: 'DICOMTRAIL',
  local: { address: '127.0.0.1', port: 11112 },
  remote: { address: '127.0.0.1', port: 50412 },
});

function header(): DeferredDicomJson {
  const bytes = encodeDataset(
    {
      '00080016': { vr: 'UI', Value: [SC] },
      '00080018': { vr: 'UI', Value: ['1.2.3.4.5'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
      '00100020': { vr: 'LO', Value: ['PID-7'] },
      '0020000D': { vr: 'UI', Value: ['1.2.3'] },
    },
    EXPLICIT_LE,
  );
  return new DeferredDicomJson(bytes, {
    transferSyntaxUid: EXPLICIT_LE,
    bulkDataThreshold: 1024,
    untilTag: '7FE00010',
  });
}

/** The events of one C-STORE as the association emits them (one header shared by two events). */
function cStoreEvents(firstSeq: number, h = header()): AdapterEvent[] {
  const base = { timestamp: '2026-11-25T11:09:59.123456Z', association };
  const command = {
    message_id: 1,
    affected_sop_class_uid: SC,
    affected_sop_instance_uid: '1.2.3.4.5',
    priority: 0,
  };
  return [
    {
      ...base,
      type: 'EVT_FSM_TRANSITION',
      seq: firstSeq,
      params: { current_state: 'Sta6', fsm_event: 'Evt10', action: 'DT-2', next_state: 'Sta6' },
    },
    {
      ...base,
      type: 'EVT_DIMSE_RECV',
      seq: firstSeq + 1,
      params: {
        message: {
          message_type: 'C-STORE-RQ',
          context_id: 1,
          command,
          data_set: { length: 100, sha256: 'a'.repeat(64) },
          dataset: h,
        },
      },
    },
    {
      ...base,
      type: 'EVT_C_STORE',
      seq: firstSeq + 2,
      messageId: 1,
      params: {
        context: { id: 1, abstract_syntax: SC, transfer_syntax: EXPLICIT_LE },
        message_id: 1,
        affected_sop_class_uid: SC,
        affected_sop_instance_uid: '1.2.3.4.5',
        priority: 0,
        dataset: h.orElse({}),
        status: 0,
        status_category: 'success',
        responses: 1,
      },
    },
  ];
}

const withoutId = (json: string): string => json.replace(/"id":"[0-9a-f-]{36}","type"/, '"id":"-","type"');

function collect(thread: EnvelopeThread): {
  records: EventRecord[];
  invalid: InvalidEvent[];
  batches: number;
} {
  const out = { records: [] as EventRecord[], invalid: [] as InvalidEvent[], batches: 0 };
  thread.start((records, invalid) => {
    out.batches += 1;
    out.records.push(...records);
    out.invalid.push(...invalid);
  });
  return out;
}

describe('EnvelopeThread', () => {
  it('gives the in-thread envelopes, byte for byte but the id, schema-valid and in order', async () => {
    const events = [...cStoreEvents(0), ...cStoreEvents(3)];
    const thread = new EnvelopeThread({ node, log });
    const out = collect(thread);
    for (const e of events) thread.encode(e);
    assert.equal(thread.pending, events.length);
    await thread.drain();
    await thread.close();
    assert.equal(out.invalid.length, 0);
    assert.equal(out.records.length, events.length);
    const ids = new Set<string>();
    events.forEach((event, i) => {
      const record = out.records[i] as EventRecord;
      const here = encodeEnvelope(event, node, resolveHere);
      assert.ok(here.ok);
      const text = record.value.toString('utf8');
      assert.equal(withoutId(text), withoutId(here.json), `${event.type} seq ${event.seq}`);
      const env = JSON.parse(text) as { id: string; seq: number; params: Record<string, unknown> };
      assert.ok(isEvent(env), `${event.type} is schema-valid`);
      assert.equal(env.seq, event.seq);
      ids.add(env.id);
      assert.equal(record.key, association.id);
      assert.deepEqual(record.headers, { [HEADER_TYPE]: event.type, [HEADER_SCHEMA]: SCHEMA_ID });
    });
    assert.equal(ids.size, events.length, 'every envelope has its own id');
    const store = JSON.parse((out.records[2] as EventRecord).value.toString('utf8')) as {
      params: { dataset: Record<string, { Value: unknown[] }> };
    };
    assert.deepEqual(
      store.params.dataset['00100020']?.Value,
      ['PID-7'],
      'the header was decoded in the thread',
    );
  });

  it('builds envelopes without checking their shape (consumers validate); one JSON cannot carry is left out, the rest in order', async () => {
    const events = cStoreEvents(0);
    const odd: AdapterEvent = { ...(events[0] as AdapterEvent), seq: 1, params: { current_state: 42 } };
    const broken: AdapterEvent = { ...(events[0] as AdapterEvent), seq: 2, params: { size: 1n } };
    const thread = new EnvelopeThread({ node, log });
    const out = collect(thread);
    thread.encode(events[0] as AdapterEvent);
    thread.encode(odd);
    thread.encode(broken);
    thread.encode({ ...(events[0] as AdapterEvent), seq: 3 });
    await thread.close();
    assert.equal(out.invalid.length, 1);
    assert.equal(out.invalid[0]?.event, broken);
    assert.equal(out.invalid[0]?.code, 'unencodable_event');
    assert.deepEqual(
      out.records.map((r) => (JSON.parse(r.value.toString('utf8')) as { seq: number }).seq),
      [0, 1, 3],
    );
  });

  it('close drains what is queued; after it envelopes are built on the calling thread, in order', async () => {
    const thread = new EnvelopeThread({ node, log, lingerMs: 50 });
    const out = collect(thread);
    for (const e of cStoreEvents(0)) thread.encode(e);
    await thread.drain();
    // Queued (not yet sent: long linger) when close is called.
    for (const e of cStoreEvents(3)) thread.encode(e);
    await thread.close();
    for (const e of cStoreEvents(6)) thread.encode(e);
    assert.deepEqual(
      out.records.map((r) => (JSON.parse(r.value.toString('utf8')) as { seq: number }).seq),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.equal(thread.pending, 0);
  });
});

describe('recordOf', () => {
  it("keys a record by its association and shares one frozen headers object among a type's records", () => {
    const [transition, recv, store] = cStoreEvents(0) as [AdapterEvent, AdapterEvent, AdapterEvent];
    const a = recordOf(transition, Buffer.from('{}'));
    const b = recordOf({ ...transition, seq: 9 }, Buffer.from('{}'));
    const c = recordOf(recv, Buffer.from('{}'));
    assert.equal(a.key, association.id);
    assert.deepEqual(a.headers, { [HEADER_TYPE]: 'EVT_FSM_TRANSITION', [HEADER_SCHEMA]: SCHEMA_ID });
    assert.deepEqual(c.headers, { [HEADER_TYPE]: 'EVT_DIMSE_RECV', [HEADER_SCHEMA]: SCHEMA_ID });
    assert.equal(a.headers, b.headers);
    assert.notEqual(a.headers, c.headers);
    assert.ok(Object.isFrozen(recordOf(store, Buffer.from('{}')).headers));
  });
});
