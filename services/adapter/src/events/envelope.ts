/**
 * An adapter event as the envelope of shared/design/ARCHITECTURE.md (schemas/ is the contract):
 * schema id, UUIDv7 id, kind, deterministic W3C trace ids (association span, operation span).
 */
import {
  associationSpanId,
  associationTraceId,
  eventKind,
  operationSpanId,
  SCHEMA_ID,
  uuidv7,
} from '@dicomtrail/schemas';
import type { AdapterEvent } from '../association/types.js';

export interface NodeInfo {
  id: string;
  hostname: string;
  version: string;
  mode: 'scp' | 'proxy' | 'scu';
}

const OPERATION_SERVICE: Record<string, string> = {
  EVT_C_ECHO: 'C-ECHO',
  EVT_C_STORE: 'C-STORE',
  EVT_C_FIND: 'C-FIND',
  EVT_C_GET: 'C-GET',
  EVT_C_MOVE: 'C-MOVE',
  EVT_C_CANCEL: 'C-CANCEL',
  EVT_N_ACTION: 'N-ACTION',
  EVT_N_CREATE: 'N-CREATE',
  EVT_N_DELETE: 'N-DELETE',
  EVT_N_EVENT_REPORT: 'N-EVENT-REPORT',
  EVT_N_GET: 'N-GET',
  EVT_N_SET: 'N-SET',
};

export function toEnvelope(ev: AdapterEvent, node: NodeInfo): Record<string, unknown> {
  const traceId = associationTraceId(ev.association.id);
  const rootSpan = associationSpanId(ev.association.id);
  const service = OPERATION_SERVICE[ev.type];
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
