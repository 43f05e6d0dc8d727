/**
 * An association record → the spans of its trace (shared/design/ARCHITECTURE.md "Traces"): the root span
 * `DICOM association <calling> -> <called>` from request to release/abort/reject, one child per DIMSE operation
 * `<service> <SOP class name>` from request to final response, a C-GET's C-STORE sub-operations as children of
 * the C-GET, and for a C-MOVE sub-association a link to the C-MOVE that caused it. Pure: the OpenTelemetry SDK
 * only sees these descriptions at the edge (otel-exporter.ts). Ids: the envelope's trace id and association span
 * id; operation span ids from the same derivation the adapter uses (schemas/src/trace-ids.ts).
 */
import { associationSpanId, associationTraceId, operationSpanId } from '@dicomtrail/schemas';
import type { AssociationRecord, OperationRecord, TimedEvent } from './association-record.js';
import { ASSOCIATION, NET, OPERATION, TLS } from './attributes.js';
import { operationAttributes } from './operation-attributes.js';
import { sopClassLabel } from './sop-class-names.js';

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface SpanDescription {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: 'server' | 'client' | 'internal';
  /** Microseconds since the Unix epoch, from the events' timestamps. */
  startUs: number;
  endUs: number;
  attributes: Attributes;
  status: { code: 'unset' | 'error'; message?: string };
  events: TimedEvent[];
  links: SpanLink[];
}

export type IncompleteReason = 'timeout' | 'evicted' | 'shutdown';

export interface BuildOptions {
  includePhi: boolean;
  /** Set when the association is closed without its end (timeout, eviction, shutdown). */
  incomplete?: IncompleteReason;
}

/** The root span first, then the operations in start order. */
export function buildSpans(rec: AssociationRecord, opts: BuildOptions): SpanDescription[] {
  const root = rootSpan(rec, opts);
  const ops = [...rec.ops.values()].sort((a, b) => a.startUs - b.startUs);
  return [root, ...ops.map((op) => operationSpan(rec, op, root, opts))];
}

function rootSpan(rec: AssociationRecord, opts: BuildOptions): SpanDescription {
  const a = rec.association;
  const startUs = rec.requestedUs ?? rec.firstUs;
  const endUs = rec.endUs ?? rec.lastUs;
  const attributes: Attributes = {
    [ASSOCIATION.ID]: rec.id,
    [ASSOCIATION.ROLE]: a.role,
    [ASSOCIATION.CALLING_AE_TITLE]: a.calling_ae_title,
    [ASSOCIATION.CALLED_AE_TITLE]: a.called_ae_title,
    [ASSOCIATION.OUTCOME]: rec.outcome ?? 'incomplete',
    [ASSOCIATION.OPERATIONS]: rec.ops.size,
    [ASSOCIATION.BYTES_RECEIVED]: rec.bytesReceived,
    [ASSOCIATION.BYTES_SENT]: rec.bytesSent,
    [ASSOCIATION.EVENTS]: rec.eventCount,
    [ASSOCIATION.NODE_ID]: rec.node.id,
    [ASSOCIATION.NODE_MODE]: rec.node.mode,
    ...networkAttributes(a),
    ...negotiationAttributes(rec),
    ...tlsAttributes(rec),
  };
  if (rec.missingEvents > 0) attributes[ASSOCIATION.EVENTS_MISSING] = rec.missingEvents;
  if (rec.releaseInitiator) attributes[ASSOCIATION.RELEASE_INITIATOR] = rec.releaseInitiator;
  const incomplete = rec.outcome ? undefined : (opts.incomplete ?? 'timeout');
  if (incomplete) attributes[ASSOCIATION.INCOMPLETE_REASON] = incomplete;
  let status: SpanDescription['status'] = { code: 'unset' };
  if (rec.cause) {
    const c = rec.cause;
    attributes[ASSOCIATION.CAUSE_SOURCE] = c.source_name;
    attributes[ASSOCIATION.CAUSE_REASON] = c.reason_name;
    attributes[ASSOCIATION.CAUSE_INITIATOR] = c.initiator;
    if (c.result_name) attributes[ASSOCIATION.CAUSE_RESULT] = c.result_name;
    if (c.detail) attributes[ASSOCIATION.CAUSE_DETAIL] = c.detail;
    attributes[NET.ERROR_TYPE] = c.reason_name;
    const what = rec.outcome === 'rejected' ? `rejected (${c.result_name ?? 'reject'})` : 'aborted';
    status = {
      code: 'error',
      message: `${what} by ${c.source_name}: ${c.reason_name}${c.detail ? ` (${c.detail})` : ''}`,
    };
  } else if (rec.outcome === 'interrupted') {
    attributes[NET.ERROR_TYPE] = 'interrupted';
    status = {
      code: 'error',
      message: `interrupted: ${rec.interruption?.detail ?? 'the node stopped'} (node ${rec.interruption?.node_id ?? '?'}, last seq ${rec.interruption?.last_seq ?? '?'})`,
    };
  } else if (rec.outcome === 'aborted' || rec.outcome === 'rejected') {
    status = { code: 'error', message: rec.outcome };
  } else if (incomplete) {
    attributes[NET.ERROR_TYPE] = 'incomplete';
    status = {
      code: 'error',
      message: `incomplete (${incomplete}): no release, abort or reject seen; ended at the last event`,
    };
  }
  const links: SpanLink[] = [];
  if (rec.parent) {
    attributes[ASSOCIATION.PARENT_ASSOCIATION_ID] = rec.parent.association_id;
    if (rec.parent.message_id !== undefined) {
      attributes[ASSOCIATION.PARENT_MESSAGE_ID] = rec.parent.message_id;
      links.push({
        traceId: associationTraceId(rec.parent.association_id),
        spanId: operationSpanId(rec.parent.association_id, rec.parent.message_id, 'C-MOVE'),
        attributes: { [ASSOCIATION.PARENT_ASSOCIATION_ID]: rec.parent.association_id },
      });
    } else {
      links.push({
        traceId: associationTraceId(rec.parent.association_id),
        spanId: associationSpanId(rec.parent.association_id),
        attributes: { [ASSOCIATION.PARENT_ASSOCIATION_ID]: rec.parent.association_id },
      });
    }
  }
  return {
    traceId: rec.traceId,
    spanId: rec.rootSpanId,
    name: `DICOM association ${a.calling_ae_title.trim()} -> ${a.called_ae_title.trim()}`,
    kind: a.role === 'acceptor' ? 'server' : 'client',
    startUs,
    endUs: Math.max(startUs, endUs),
    attributes,
    status,
    events: rec.events,
    links,
  };
}

function networkAttributes(a: AssociationRecord['association']): Attributes {
  const server = a.role === 'acceptor' ? a.local : a.remote;
  const client = a.role === 'acceptor' ? a.remote : a.local;
  return {
    [NET.TRANSPORT]: 'tcp',
    [NET.PEER_ADDRESS]: a.remote.address,
    [NET.PEER_PORT]: a.remote.port,
    [NET.LOCAL_ADDRESS]: a.local.address,
    [NET.LOCAL_PORT]: a.local.port,
    [NET.SERVER_ADDRESS]: server.address,
    [NET.SERVER_PORT]: server.port,
    [NET.CLIENT_ADDRESS]: client.address,
    [NET.CLIENT_PORT]: client.port,
  };
}

function tlsAttributes(rec: AssociationRecord): Attributes {
  const t = rec.tls;
  if (!t) return {};
  const out: Attributes = {
    [TLS.PROTOCOL_NAME]: 'tls',
    [TLS.PROTOCOL_VERSION]: t.protocol.replace(/^TLSv/, ''),
    [TLS.CIPHER]: t.cipher,
    [TLS.ESTABLISHED]: true,
    [TLS.PEER_VERIFIED]: t.peer_verified,
  };
  const cert = t.peer_certificate;
  if (cert) {
    const peerIsClient = rec.association.role === 'acceptor';
    out[peerIsClient ? TLS.CLIENT_SUBJECT : TLS.SERVER_SUBJECT] = cert.subject;
    out[peerIsClient ? TLS.CLIENT_ISSUER : TLS.SERVER_ISSUER] = cert.issuer;
    out[peerIsClient ? TLS.CLIENT_SHA256 : TLS.SERVER_SHA256] = cert.sha256.replaceAll(':', '');
  }
  return out;
}

function negotiationAttributes(rec: AssociationRecord): Attributes {
  const n = rec.negotiation;
  const out: Attributes = {};
  if (n.proposed !== undefined) out[ASSOCIATION.PROPOSED_CONTEXTS] = n.proposed;
  if (n.accepted !== undefined) out[ASSOCIATION.ACCEPTED_CONTEXTS] = n.accepted;
  if (n.maxPduRequestor !== undefined) out[ASSOCIATION.MAX_PDU_REQUESTOR] = n.maxPduRequestor;
  if (n.maxPduAcceptor !== undefined) out[ASSOCIATION.MAX_PDU_ACCEPTOR] = n.maxPduAcceptor;
  if (n.implementationClassUid) out[ASSOCIATION.IMPLEMENTATION_CLASS_UID] = n.implementationClassUid;
  if (n.implementationVersionName) out[ASSOCIATION.IMPLEMENTATION_VERSION_NAME] = n.implementationVersionName;
  if (n.userIdentityType) out[ASSOCIATION.USER_IDENTITY_TYPE] = n.userIdentityType;
  return out;
}

/** Span id of an operation: received requests as the adapter derives them; sent ones in their own namespace. */
export function operationSpanIdOf(rec: AssociationRecord, op: OperationRecord): string {
  const service = op.direction === 'in' ? op.service : `${op.service}:sent`;
  return operationSpanId(rec.id, op.messageId, service);
}

function operationSpan(
  rec: AssociationRecord,
  op: OperationRecord,
  root: SpanDescription,
  opts: BuildOptions,
): SpanDescription {
  const parent = op.parentKey ? rec.ops.get(op.parentKey) : undefined;
  const attributes = operationAttributes(op, opts.includePhi);
  const sopClass = op.request?.affected_sop_class_uid ?? op.request?.requested_sop_class_uid;
  let endUs = op.endUs;
  let status: SpanDescription['status'] = { code: 'unset' };
  if (endUs === undefined) {
    endUs = root.endUs;
    attributes[OPERATION.INCOMPLETE] = true;
    attributes[NET.ERROR_TYPE] = 'no final response';
    status = {
      code: 'error',
      message: `no final response before the association ended (${root.attributes[ASSOCIATION.OUTCOME]})`,
    };
  } else {
    const category = attributes[OPERATION.STATUS_CATEGORY];
    if (category === 'failure') {
      const hex = attributes[OPERATION.STATUS_HEX];
      const comment = attributes[OPERATION.ERROR_COMMENT];
      attributes[NET.ERROR_TYPE] = String(hex);
      status = { code: 'error', message: `status ${hex} (failure)${comment ? `: ${comment}` : ''}` };
    }
  }
  return {
    traceId: rec.traceId,
    spanId: operationSpanIdOf(rec, op),
    parentSpanId: parent ? operationSpanIdOf(rec, parent) : root.spanId,
    name: `${op.service}${sopClass ? ` ${sopClassLabel(sopClass)}` : ''}`,
    kind: op.direction === 'in' ? 'server' : 'client',
    startUs: op.startUs,
    endUs: Math.max(op.startUs, endUs),
    attributes,
    status,
    events: op.events,
    links: [],
  };
}
