import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EventType, parseEvent, uuidv7 } from '@dicomtrail/schemas';
import { summarizePdu } from '../association/pdu-summary.js';
import { describeTransition, transition } from '../dul/state-machine.js';
import { decodePdu } from '../pdu/decode.js';
import { encodePDataTf } from '../pdu/p-data-tf.js';
import type { AdapterEvent, AssociationInfo } from './adapter-event.js';
import { envelopeJson, type NodeInfo, toEnvelope } from './envelope.js';
import { perPduParamsJson } from './per-pdu-params.js';

const NODE: NodeInfo = Object.freeze({ id: 'node-1', hostname: 'host "a"', version: '1.2.3', mode: 'scp' });
const OTHER_NODE: NodeInfo = { id: 'node-2', hostname: 'h\u2028b', version: '2', mode: 'proxy' };

/** A P-DATA-TF as the decoder gives it, summarised as EVT_PDU_RECV/SENT carry it. */
function pDataSummary(pdvs: { contextId: number; isCommand: boolean; isLast: boolean; bytes: number }[]) {
  const raw = encodePDataTf(pdvs.map((p) => ({ ...p, data: Buffer.alloc(p.bytes) })));
  return summarizePdu(decodePdu(raw), raw.length - 6);
}

function fsmParams(): Record<string, unknown> {
  const t = transition('Sta6', 'acceptor', 'Evt10');
  assert.equal(t.kind, 'transition');
  return { ...describeTransition(t as Extract<typeof t, { kind: 'transition' }>) };
}

/** The per-PDU params as their producers make them, with varied values. */
function producedParams(): [EventType, Record<string, unknown>][] {
  return [
    ['EVT_DATA_RECV', { pdu_type: 'P-DATA-TF', length: 65542 }],
    ['EVT_DATA_RECV', { pdu_type: 'P-DATA-TF', length: 0 }],
    ['EVT_DATA_SENT', { pdu_type: 'P-DATA-TF', length: 12 }],
    ['EVT_DATA_RECV', { pdu_type: 'A-RELEASE-RQ', length: 10, sha256: 'ab'.repeat(32) }],
    ['EVT_DATA_SENT', { pdu_type: 'A-ASSOCIATE-AC', length: 2_000_000_000, sha256: 'cd'.repeat(32) }],
    ['EVT_PDU_RECV', pDataSummary([{ contextId: 1, isCommand: false, isLast: false, bytes: 16376 }])],
    ['EVT_PDU_SENT', pDataSummary([{ contextId: 3, isCommand: true, isLast: true, bytes: 80 }])],
    [
      'EVT_PDU_RECV',
      pDataSummary([
        { contextId: 1, isCommand: true, isLast: true, bytes: 90 },
        { contextId: 1, isCommand: false, isLast: false, bytes: 100 },
        { contextId: 255, isCommand: false, isLast: true, bytes: 0 },
      ]),
    ],
    ['EVT_FSM_TRANSITION', fsmParams()],
    ['EVT_FSM_TRANSITION', { current_state: 'Sta7', fsm_event: 'Evt12', action: 'AR-8', next_state: 'Sta9' }],
  ];
}

test('the per-PDU params as their producers make them are written from the template, as JSON.stringify writes them', () => {
  for (const [type, params] of producedParams()) {
    const text = perPduParamsJson(type, params);
    assert.notEqual(text, undefined, `${type} ${JSON.stringify(params)} takes the template`);
    assert.equal(text, JSON.stringify(params), type);
  }
});

test('any other shape or value is left to JSON.stringify', () => {
  const withToJson = Object.assign(Object.create({ toJSON: () => 'x' }) as object, {
    pdu_type: 'P-DATA-TF',
    length: 1,
  });
  const cases: [EventType, unknown][] = [
    ['EVT_DATA_RECV', { length: 1, pdu_type: 'P-DATA-TF' }], // keys in another order
    ['EVT_DATA_RECV', { pdu_type: 'P-DATA-TF', length: 1, extra: true }],
    ['EVT_DATA_RECV', { pdu_type: 'P-DATA-TF' }],
    ['EVT_DATA_RECV', { pdu_type: 'P-DATA-TF', length: Number.NaN }],
    ['EVT_DATA_RECV', { pdu_type: 'P-DATA-TF', length: '1' }],
    ['EVT_DATA_RECV', { pdu_type: 'P-DATA-TF', length: 1, sha256: undefined }],
    ['EVT_DATA_RECV', withToJson],
    ['EVT_DATA_RECV', null],
    ['EVT_PDU_RECV', { pdu: { pdu_type: 'A-RELEASE-RQ', length: 4 } }],
    ['EVT_PDU_RECV', { pdu: { pdu_type: 'P-DATA-TF', length: 4, pdvs: {} } }],
    [
      'EVT_PDU_RECV',
      {
        pdu: {
          pdu_type: 'P-DATA-TF',
          length: 4,
          pdvs: [{ context_id: 1, is_command: 1, is_last: false, length: 0 }],
        },
      },
    ],
    ['EVT_PDU_SENT', { pdu: { pdu_type: 'P-DATA-TF', length: 4, pdvs: [] }, more: 1 }],
    ['EVT_FSM_TRANSITION', { current_state: 'Sta6', fsm_event: 'Evt10', action: 'DT-2' }],
    ['EVT_FSM_TRANSITION', { current_state: 'Sta6', fsm_event: 'Evt10', action: 'DT-2', next_state: 6 }],
    ['EVT_C_ECHO', { pdu_type: 'P-DATA-TF', length: 1 }],
  ];
  for (const [type, params] of cases)
    assert.equal(perPduParamsJson(type, params), undefined, JSON.stringify(params));
});

test('strings that JSON escapes are written as JSON.stringify writes them', () => {
  for (const s of ['a"b', 'back\\slash', 'line\u2028sep', '\u0007', 'é', '\ud800', 'x'.repeat(40)]) {
    const params = { current_state: s, fsm_event: s, action: s, next_state: s };
    assert.equal(perPduParamsJson('EVT_FSM_TRANSITION', params), JSON.stringify(params), JSON.stringify(s));
    const data = { pdu_type: s, length: 1, sha256: s };
    assert.equal(perPduParamsJson('EVT_DATA_SENT', data), JSON.stringify(data), JSON.stringify(s));
  }
});

/** The association objects an event can come with: settled (frozen), changing, with its negotiation, fresh copies. */
function associations(): AssociationInfo[] {
  const base = {
    id: '0190a0b0-0000-7000-8000-00000000000a',
    role: 'acceptor' as const,
    calling_ae_title: 'STORESCU',
    called_ae_title: 'DT',
    local: { address: '127.0.0.1', port: 11112 },
    remote: { address: '127.0.0.1', port: 40000 },
  };
  const frozen = Object.freeze({
    ...base,
    local: Object.freeze(base.local),
    remote: Object.freeze(base.remote),
  });
  const unconnected = {
    ...base,
    id: '0190a0b0-0000-7000-8000-00000000000b',
    remote: { address: '', port: 0 },
  };
  const negotiating = { ...frozen, negotiation: { max_pdu_length: 16384 } } as AssociationInfo;
  return [frozen, frozen, unconnected, negotiating, { ...base, calling_ae_title: 'OTHER "AE"' }];
}

test('envelopeJson of every per-PDU type is JSON.stringify of the envelope, for every association state', () => {
  const parents = [
    undefined,
    Object.freeze({ association_id: '0190a0b0-0000-7000-8000-0000000000c1', message_id: 5 }),
    { association_id: '0190a0b0-0000-7000-8000-0000000000c2' },
  ];
  let seq = 0;
  for (const association of associations())
    for (const parent of parents)
      for (const node of [NODE, OTHER_NODE, NODE])
        for (const messageId of [undefined, 1, 65535])
          for (const [type, params] of producedParams()) {
            const ev: AdapterEvent = {
              type,
              timestamp: '2026-12-08T01:02:03.456789Z',
              seq: seq++,
              association,
              params,
              ...(parent ? { parent } : {}),
              ...(messageId !== undefined ? { messageId } : {}),
            };
            const id = uuidv7();
            const text = envelopeJson(ev, node, id);
            assert.equal(text, JSON.stringify(toEnvelope(ev, node, id)), `${type} ${JSON.stringify(ev)}`);
            if (association.negotiation === undefined && messageId === undefined) {
              const parsed = parseEvent(JSON.parse(text));
              assert.ok(parsed.ok, `${type}: ${JSON.stringify(parsed.ok ? '' : parsed.errors)}`);
            }
          }
});
