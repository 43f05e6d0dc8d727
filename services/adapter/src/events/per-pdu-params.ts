/**
 * The params text of the event types written once per PDU (EVT_DATA_RECV/SENT, EVT_PDU_RECV/SENT of a
 * P-DATA-TF, EVT_FSM_TRANSITION): about three events per 64 KB PDU, thousands per large instance. Their params
 * have a fixed shape (dul/upper-layer.ts `#dataParams`, association/pdu-summary.ts, dul/state-machine.ts
 * `describeTransition`), so their JSON is written from a template: the keys as kept text, each value
 * written by type, the few strings (PDU type names, states, events, actions) kept per string.
 *
 * `perPduParamsJson` returns exactly `JSON.stringify(params)` or undefined: it writes only a plain object with
 * exactly the template's keys, in its order, and values of the types the template writes (a finite number, a
 * boolean, a string); anything else is left to JSON.stringify. per-pdu-params.test.ts compares the two.
 */
import type { EventType } from '@dicomtrail/schemas';

/** JSON text of the short strings these params repeat (a bounded set: names from the standard). */
const STRING_CACHE_MAX = 256;
const stringJson = new Map<string, string>();

function str(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  let t = stringJson.get(v);
  if (t === undefined) {
    t = JSON.stringify(v);
    if (v.length <= 32) {
      if (stringJson.size >= STRING_CACHE_MAX) stringJson.clear();
      stringJson.set(v, t);
    }
  }
  return t;
}

/** A finite number's JSON text (`String(n)` is JSON.stringify's text for every finite number). */
function num(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

function bool(v: unknown): string | undefined {
  return v === true ? 'true' : v === false ? 'false' : undefined;
}

/** A plain object (JSON.stringify of it calls no toJSON, sees no inherited keys) with exactly `keys`, in order. */
function hasExactly(o: unknown, keys: readonly string[]): o is Record<string, unknown> {
  if (o === null || typeof o !== 'object' || Object.getPrototypeOf(o) !== Object.prototype) return false;
  let i = 0;
  for (const k in o) {
    if (k !== keys[i]) return false;
    i += 1;
  }
  return i === keys.length;
}

const DATA_KEYS = ['pdu_type', 'length'] as const;
const DATA_HASHED_KEYS = ['pdu_type', 'length', 'sha256'] as const;

/** EVT_DATA_RECV / EVT_DATA_SENT: `{pdu_type, length[, sha256]}`. */
function dataJson(p: unknown): string | undefined {
  const hashed = hasExactly(p, DATA_HASHED_KEYS);
  if (!hashed && !hasExactly(p, DATA_KEYS)) return undefined;
  const type = str(p.pdu_type);
  const length = num(p.length);
  if (type === undefined || length === undefined) return undefined;
  if (!hashed) return `{"pdu_type":${type},"length":${length}}`;
  const sha = str(p.sha256);
  return sha === undefined ? undefined : `{"pdu_type":${type},"length":${length},"sha256":${sha}}`;
}

const PDU_KEYS = ['pdu'] as const;
const P_DATA_KEYS = ['pdu_type', 'length', 'pdvs'] as const;
const PDV_KEYS = ['context_id', 'is_command', 'is_last', 'length'] as const;

/** One PDV of a P-DATA-TF summary: `{context_id, is_command, is_last, length}`. */
function pdvJson(v: unknown): string | undefined {
  if (!hasExactly(v, PDV_KEYS)) return undefined;
  const context = num(v.context_id);
  const command = bool(v.is_command);
  const last = bool(v.is_last);
  const length = num(v.length);
  if (context === undefined || command === undefined || last === undefined || length === undefined)
    return undefined;
  return `{"context_id":${context},"is_command":${command},"is_last":${last},"length":${length}}`;
}

/** EVT_PDU_RECV / EVT_PDU_SENT of a P-DATA-TF: `{pdu: {pdu_type, length, pdvs: [...]}}`; other PDUs are not per-PDU. */
function pDataSummaryJson(p: unknown): string | undefined {
  if (!hasExactly(p, PDU_KEYS)) return undefined;
  const pdu = p.pdu;
  if (!hasExactly(pdu, P_DATA_KEYS) || pdu.pdu_type !== 'P-DATA-TF') return undefined;
  const length = num(pdu.length);
  const pdvs = pdu.pdvs;
  if (length === undefined || !Array.isArray(pdvs) || Object.getPrototypeOf(pdvs) !== Array.prototype)
    return undefined;
  let list = '';
  for (let i = 0; i < pdvs.length; i++) {
    const t = pdvJson(pdvs[i]);
    if (t === undefined) return undefined;
    list += i === 0 ? t : `,${t}`;
  }
  return `{"pdu":{"pdu_type":"P-DATA-TF","length":${length},"pdvs":[${list}]}}`;
}

const TRANSITION_KEYS = ['current_state', 'fsm_event', 'action', 'next_state'] as const;

/** EVT_FSM_TRANSITION: `{current_state, fsm_event, action, next_state}`. */
function transitionJson(p: unknown): string | undefined {
  if (!hasExactly(p, TRANSITION_KEYS)) return undefined;
  const from = str(p.current_state);
  const event = str(p.fsm_event);
  const action = str(p.action);
  const to = str(p.next_state);
  if (from === undefined || event === undefined || action === undefined || to === undefined) return undefined;
  return `{"current_state":${from},"fsm_event":${event},"action":${action},"next_state":${to}}`;
}

/** `JSON.stringify(params)` for the per-PDU types' usual shapes; undefined for any other type or shape. */
export function perPduParamsJson(type: EventType, params: unknown): string | undefined {
  switch (type) {
    case 'EVT_DATA_RECV':
    case 'EVT_DATA_SENT':
      return dataJson(params);
    case 'EVT_PDU_RECV':
    case 'EVT_PDU_SENT':
      return pDataSummaryJson(params);
    case 'EVT_FSM_TRANSITION':
      return transitionJson(params);
    default:
      return undefined;
  }
}
