/**
 * Synthetic traffic for volume tests and the benchmark: the events of one real storescu association (captured
 * from the adapter, test/fixtures/storescu-association.jsonl: 38 events, one C-STORE) replayed as many
 * associations, each with its own association id, event ids, timestamps and patient.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventRecord } from '@dicomtrail/event-log';
import { uuidv7 } from '@dicomtrail/schemas';

// biome-ignore lint/suspicious/noExplicitAny: templates are edited in place
type Json = Record<string, any>;

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../test/fixtures/storescu-association.jsonl',
);

let template: Json[] | undefined;
function templateEvents(): Json[] {
  template ??= readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Json);
  return template;
}

export const EVENTS_PER_ASSOCIATION = 38;

function uuidv4(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** RFC 3339 UTC with six fractional digits from epoch microseconds. */
export function timestampOf(micros: number): string {
  const ms = Math.floor(micros / 1000);
  return new Date(ms).toISOString().replace('Z', `${String(micros % 1000).padStart(3, '0')}Z`);
}

let clock = 0;
/** Epoch microseconds, strictly increasing within the process. */
export function nowMicros(): number {
  clock = Math.max(clock + 1, Date.now() * 1000);
  return clock;
}

/** Seq range of the one C-STORE in the fixture (P-DATA-TF received ... FSM Evt9 after the response). */
const STORE_FIRST = 15;
const STORE_LAST = 26;

export function eventsPerAssociation(stores: number): number {
  return EVENTS_PER_ASSOCIATION + (stores - 1) * (STORE_LAST - STORE_FIRST + 1);
}

/** The fixture's events with its C-STORE block repeated `stores` times (message ids 1..stores). */
function expanded(stores: number): { e: Json; store: number }[] {
  const t = templateEvents();
  const out: { e: Json; store: number }[] = t.slice(0, STORE_FIRST).map((e) => ({ e, store: 0 }));
  for (let k = 1; k <= stores; k++) {
    for (const e of t.slice(STORE_FIRST, STORE_LAST + 1)) out.push({ e, store: k });
  }
  for (const e of t.slice(STORE_LAST + 1)) out.push({ e, store: 0 });
  return out;
}

/**
 * One association's events as Kafka records (key = association id), timestamps from `micros()`, `stores`
 * C-STOREs of patient `patientId` (a study sent in one association).
 */
export function associationRecords(
  patientId: string,
  micros: () => number = nowMicros,
  stores = 1,
): EventRecord[] {
  const association = uuidv4();
  const sopRoot = `1.2.826.0.1.3680043.10.1386.66.${randomBytes(6).readUIntBE(0, 6)}`;
  return expanded(stores).map(({ e: t, store }, seq) => {
    const e: Json = structuredClone(t);
    e['id'] = uuidv7();
    e['seq'] = seq;
    e['timestamp'] = timestampOf(micros());
    e['association']['id'] = association;
    const sop = `${sopRoot}.${store}`;
    const dataset = e['params']['dataset'] ?? e['params']['message']?.['dataset'];
    if (dataset) {
      dataset['00100020'] = { vr: 'LO', Value: [patientId] };
      dataset['00080018'] = { vr: 'UI', Value: [sop] };
    }
    const command = e['params']['message']?.['command'];
    if (command?.['message_id'] !== undefined) command['message_id'] = store;
    if (command?.['message_id_being_responded_to'] !== undefined)
      command['message_id_being_responded_to'] = store;
    if (command?.['affected_sop_instance_uid'] !== undefined) command['affected_sop_instance_uid'] = sop;
    if (e['type'] === 'EVT_C_STORE') {
      e['params']['affected_sop_instance_uid'] = sop;
      e['params']['message_id'] = store;
    }
    return {
      key: association,
      value: Buffer.from(JSON.stringify(e)),
      headers: { type: e['type'], schema: e['schema'] },
    };
  });
}

/** Records a consumer must dead-letter: not JSON, an unknown schema major, a schema failure, an unstorable NUL. */
export function poisonRecords(): { record: EventRecord; reason: RegExp }[] {
  const valid = JSON.parse(associationRecords('PID-POISON')[0]!.value.toString()) as Json;
  const edit = (f: (e: Json) => void): Buffer => {
    const e = structuredClone(valid);
    e['id'] = uuidv7();
    f(e);
    return Buffer.from(JSON.stringify(e));
  };
  const rec = (value: Buffer) => ({ key: 'poison', value, headers: {} });
  return [
    { record: rec(Buffer.from('{not json')), reason: /^not_json/ },
    { record: rec(edit((e) => (e['schema'] = 'dicomtrail.event/2'))), reason: /^unknown_schema_major/ },
    { record: rec(edit((e) => (e['seq'] = -1))), reason: /^invalid_event/ },
    { record: rec(edit((e) => (e['node']['hostname'] = 'gw\u0000x'))), reason: /^unstorable/ },
  ];
}
