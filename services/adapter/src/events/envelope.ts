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
import type { AdapterEvent } from './adapter-event.js';

export interface NodeInfo {
  id: string;
  hostname: string;
  version: string;
  mode: 'scp' | 'proxy' | 'scu';
}

/**
 * The association's trace and root span ids, derived once per association (two sha256 per event otherwise):
 * a small map of the most recent associations, emptied when it grows past its bound.
 */
const TRACE_CACHE_MAX = 4096;
const traceCache = new Map<string, { traceId: string; rootSpan: string }>();

function associationIds(associationId: string): { traceId: string; rootSpan: string } {
  let ids = traceCache.get(associationId);
  if (!ids) {
    if (traceCache.size >= TRACE_CACHE_MAX) traceCache.clear();
    ids = { traceId: associationTraceId(associationId), rootSpan: associationSpanId(associationId) };
    traceCache.set(associationId, ids);
  }
  return ids;
}

export function toEnvelope(ev: AdapterEvent, node: NodeInfo): Record<string, unknown> {
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
    id: uuidv7(),
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
