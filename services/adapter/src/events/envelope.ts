/**
 * An adapter event as the envelope of shared/design/ARCHITECTURE.md (schemas/ is the contract):
 * schema id, UUIDv7 id, kind, deterministic W3C trace ids (association span, operation span).
 */
import {
  associationSpanId,
  associationTraceId,
  eventKind,
  operationServiceOf,
  operationSpanId,
  SCHEMA_ID,
  uuidv7,
} from '@dicomtrail/schemas';
import type { AdapterEvent, AssociationInfo } from './adapter-event.js';
import { perPduParamsJson } from './per-pdu-params.js';

/** The node an event comes from; read-only (its JSON text is kept per object, see `envelopeJson`). */
export interface NodeInfo {
  readonly id: string;
  readonly hostname: string;
  readonly version: string;
  readonly mode: 'scp' | 'proxy' | 'scu';
}

/**
 * The association's trace and root span ids, derived once per association (two sha256 per event otherwise):
 * a small map of the most recent associations, emptied when it grows past its bound.
 */
const TRACE_CACHE_MAX = 4096;
interface AssociationIds {
  traceId: string;
  rootSpan: string;
  /** The JSON text of the association's own trace context (events outside an operation). */
  rootTraceJson: string;
}
const traceCache = new Map<string, AssociationIds>();

function associationIds(associationId: string): AssociationIds {
  let ids = traceCache.get(associationId);
  if (!ids) {
    if (traceCache.size >= TRACE_CACHE_MAX) traceCache.clear();
    const traceId = associationTraceId(associationId);
    const rootSpan = associationSpanId(associationId);
    ids = { traceId, rootSpan, rootTraceJson: JSON.stringify({ trace_id: traceId, span_id: rootSpan }) };
    traceCache.set(associationId, ids);
  }
  return ids;
}

/** The envelope as an object; `id` is the envelope's UUIDv7 (a fresh one unless given). */
export function toEnvelope(ev: AdapterEvent, node: NodeInfo, id: string = uuidv7()): Record<string, unknown> {
  const { traceId, rootSpan } = associationIds(ev.association.id);
  const service = operationServiceOf(ev.type);
  const trace =
    ev.messageId !== undefined && service
      ? {
          trace_id: traceId,
          span_id: operationSpanId(ev.association.id, ev.messageId, service),
          parent_span_id: rootSpan,
        }
      : { trace_id: traceId, span_id: rootSpan };
  return {
    schema: SCHEMA_ID,
    id,
    type: ev.type,
    kind: eventKind(ev.type),
    timestamp: ev.timestamp,
    seq: ev.seq,
    association: ev.association,
    ...(ev.parent ? { parent: ev.parent } : {}),
    node,
    params: ev.params,
    trace,
  };
}

// ------------------------------------------------------------------------- the envelope's JSON text

/**
 * The parts of an envelope's text that do not change from one event to the next are kept as text: the schema
 * id, each type with its kind, the node, the association metadata (per frozen AssociationInfo, the object
 * events/association-events.ts shares between the events of an association while it does not change) and the
 * association's own trace context. The rest is JSON.stringify of each value.
 */
const SCHEMA_PREFIX = `{"schema":${JSON.stringify(SCHEMA_ID)},"id":`;
const typeFragments = new Map<string, string>();
const nodeJson = new WeakMap<NodeInfo, string>();
const associationJson = new WeakMap<AssociationInfo, string>();

/** `,"type":"EVT_…","kind":"…","timestamp":` */
function typeFragment(type: AdapterEvent['type']): string {
  let f = typeFragments.get(type);
  if (f === undefined) {
    f = `,"type":${JSON.stringify(type)},"kind":${JSON.stringify(eventKind(type))},"timestamp":`;
    typeFragments.set(type, f);
  }
  return f;
}

/** JSON.stringify(value), kept per object when `keep(value)` says it cannot change. */
function keptJson<T extends object>(kept: WeakMap<T, string>, value: T, keep: (v: T) => boolean): string {
  let t = kept.get(value);
  if (t === undefined) {
    t = JSON.stringify(value);
    if (keep(value)) kept.set(value, t);
  }
  return t;
}

/** An association object that cannot change: frozen, with its endpoints, and no negotiation. */
const settled = (a: AssociationInfo): boolean =>
  Object.isFrozen(a) && Object.isFrozen(a.local) && Object.isFrozen(a.remote) && a.negotiation === undefined;

/** NodeInfo is read-only: its text is kept. */
const always = (): boolean => true;

/**
 * `JSON.stringify(toEnvelope(ev, node, id))`, the same text (envelope.test.ts compares the two on every example
 * event of the schemas, and test/support/server.ts on every event the integration tests produce), built from
 * the kept parts above without the envelope object. Throws what JSON.stringify throws.
 */
export function envelopeJson(ev: AdapterEvent, node: NodeInfo, id: string = uuidv7()): string {
  const ids = associationIds(ev.association.id);
  const service = ev.messageId !== undefined ? operationServiceOf(ev.type) : undefined;
  const trace =
    service !== undefined
      ? JSON.stringify({
          trace_id: ids.traceId,
          span_id: operationSpanId(ev.association.id, ev.messageId as number, service),
          parent_span_id: ids.rootSpan,
        })
      : ids.rootTraceJson;
  const params = perPduParamsJson(ev.type, ev.params) ?? (JSON.stringify(ev.params) as string | undefined);
  return (
    SCHEMA_PREFIX +
    JSON.stringify(id) +
    typeFragment(ev.type) +
    JSON.stringify(ev.timestamp) +
    ',"seq":' +
    JSON.stringify(ev.seq) +
    middleJson(ev, node) +
    (params === undefined ? '' : `,"params":${params}`) +
    ',"trace":' +
    trace +
    '}'
  );
}

/**
 * `,"association":…[,"parent":…],"node":…`, kept as one text per settled association object while its events
 * come with the same parent and node objects (all the events of an association but its lifecycle ones).
 */
interface KeptMiddle {
  parent: AdapterEvent['parent'];
  node: NodeInfo;
  text: string;
}
const middles = new WeakMap<AssociationInfo, KeptMiddle>();

function middleJson(ev: AdapterEvent, node: NodeInfo): string {
  const kept = middles.get(ev.association);
  if (kept !== undefined && kept.parent === ev.parent && kept.node === node) return kept.text;
  const text =
    ',"association":' +
    keptJson(associationJson, ev.association, settled) +
    (ev.parent ? `,"parent":${JSON.stringify(ev.parent)}` : '') +
    ',"node":' +
    keptJson(nodeJson, node, always);
  if (settled(ev.association) && (ev.parent === undefined || Object.isFrozen(ev.parent)))
    middles.set(ev.association, { parent: ev.parent, node, text });
  return text;
}
