import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseEvent, uuidv7 } from '@dicomtrail/schemas';
import type { AdapterEvent, AssociationInfo } from './adapter-event.js';
import { envelopeJson, type NodeInfo, toEnvelope } from './envelope.js';

const NODE: NodeInfo = { id: 'node-1', hostname: 'host "a"', version: '1.2.3', mode: 'scp' };
const EXAMPLES = new URL('../../../../../schemas/examples/valid/', import.meta.url);

/** The schemas' example envelopes of an association, as the adapter events they were built from. */
function exampleEvents(): AdapterEvent[] {
  const out: AdapterEvent[] = [];
  for (const f of readdirSync(EXAMPLES)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const env = JSON.parse(readFileSync(new URL(f, EXAMPLES), 'utf8')) as AdapterEvent & { parent?: unknown };
    if (!env.association) continue; // node-scoped
    const base: AdapterEvent = {
      type: env.type,
      timestamp: env.timestamp,
      seq: env.seq,
      association: env.association,
      params: env.params,
      ...(env.parent ? { parent: env.parent as NonNullable<AdapterEvent['parent']> } : {}),
    };
    out.push(base, { ...base, messageId: 7 });
  }
  return out;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

test('envelopeJson is JSON.stringify of the envelope, byte for byte, and schema-valid, for every example event', () => {
  const events = exampleEvents();
  assert.ok(events.length >= 30, `${events.length} example events`);
  for (const ev of events) {
    const id = uuidv7();
    const text = envelopeJson(ev, NODE, id);
    assert.equal(text, JSON.stringify(toEnvelope(ev, NODE, id)), ev.type);
    const parsed = parseEvent(JSON.parse(text));
    assert.ok(parsed.ok, `${ev.type}: ${JSON.stringify(parsed.ok ? '' : parsed.errors)}`);
  }
});

test('a frozen association is encoded once and gives the same text every time', () => {
  for (const ev of exampleEvents()) {
    const frozen: AdapterEvent = { ...ev, association: deepFreeze(structuredClone(ev.association)) };
    for (let i = 0; i < 3; i++) {
      const id = uuidv7();
      assert.equal(envelopeJson(frozen, NODE, id), JSON.stringify(toEnvelope(frozen, NODE, id)), ev.type);
    }
  }
});

test('an association object that may change is encoded as it is at each event', () => {
  const [ev] = exampleEvents();
  const association: AssociationInfo = structuredClone(ev!.association);
  const event: AdapterEvent = { ...ev!, association };
  const first = JSON.parse(envelopeJson(event, NODE)) as { association: AssociationInfo };
  association.calling_ae_title = 'CHANGED';
  association.remote = { ...association.remote, port: 4242 };
  const second = JSON.parse(envelopeJson(event, NODE)) as { association: AssociationInfo };
  assert.notEqual(first.association.calling_ae_title, 'CHANGED');
  assert.equal(second.association.calling_ae_title, 'CHANGED');
  assert.equal(second.association.remote.port, 4242);
});

test('params, parent and values JSON leaves out are left out as JSON.stringify leaves them', () => {
  const [ev] = exampleEvents();
  const odd: AdapterEvent = {
    ...ev!,
    params: { a: undefined, b: [undefined], c: { toJSON: () => ({ d: 'e\u2028"' }) }, f: 'tab\there' },
    parent: { association_id: 'p"1', message_id: 3 },
    messageId: 9,
  };
  const id = uuidv7();
  assert.equal(envelopeJson(odd, NODE, id), JSON.stringify(toEnvelope(odd, NODE, id)));
  const none = { ...ev!, params: undefined as unknown as Record<string, unknown> };
  assert.equal(envelopeJson(none, NODE, id), JSON.stringify(toEnvelope(none, NODE, id)));
  assert.throws(() => envelopeJson({ ...ev!, params: { n: 1n } }, NODE), TypeError);
});
