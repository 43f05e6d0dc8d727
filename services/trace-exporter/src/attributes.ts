/**
 * Every span attribute key the trace exporter writes (as opentelemetry-js keeps its keys in semconv.ts). Tests
 * assert exported keys against this file. DICOM values live under `dicom.*` in snake_case (STYLE.md convention 1);
 * network and server keys are OpenTelemetry's stable semantic conventions. Keys marked PHI are written only when
 * TRACE_INCLUDE_PHI=true (STYLE.md convention 8).
 */
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_CLIENT_PORT,
  ATTR_ERROR_TYPE,
  ATTR_NETWORK_LOCAL_ADDRESS,
  ATTR_NETWORK_LOCAL_PORT,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_TRANSPORT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';

export const NET = {
  PEER_ADDRESS: ATTR_NETWORK_PEER_ADDRESS,
  PEER_PORT: ATTR_NETWORK_PEER_PORT,
  LOCAL_ADDRESS: ATTR_NETWORK_LOCAL_ADDRESS,
  LOCAL_PORT: ATTR_NETWORK_LOCAL_PORT,
  TRANSPORT: ATTR_NETWORK_TRANSPORT,
  SERVER_ADDRESS: ATTR_SERVER_ADDRESS,
  SERVER_PORT: ATTR_SERVER_PORT,
  CLIENT_ADDRESS: ATTR_CLIENT_ADDRESS,
  CLIENT_PORT: ATTR_CLIENT_PORT,
  ERROR_TYPE: ATTR_ERROR_TYPE,
} as const;

/** Attributes of the association (root) span. */
export const ASSOCIATION = {
  ID: 'dicom.association_id',
  ROLE: 'dicom.role',
  CALLING_AE_TITLE: 'dicom.calling_ae_title',
  CALLED_AE_TITLE: 'dicom.called_ae_title',
  /** released | aborted | rejected | incomplete */
  OUTCOME: 'dicom.outcome',
  /** Why the span was closed without an end event: timeout | evicted | shutdown. */
  INCOMPLETE_REASON: 'dicom.incomplete_reason',
  RELEASE_INITIATOR: 'dicom.release.initiator',
  CAUSE_RESULT: 'dicom.cause.result',
  CAUSE_SOURCE: 'dicom.cause.source',
  CAUSE_REASON: 'dicom.cause.reason',
  CAUSE_INITIATOR: 'dicom.cause.initiator',
  CAUSE_DETAIL: 'dicom.cause.detail',
  PROPOSED_CONTEXTS: 'dicom.presentation_contexts.proposed',
  ACCEPTED_CONTEXTS: 'dicom.presentation_contexts.accepted',
  MAX_PDU_REQUESTOR: 'dicom.max_pdu.requestor',
  MAX_PDU_ACCEPTOR: 'dicom.max_pdu.acceptor',
  IMPLEMENTATION_CLASS_UID: 'dicom.implementation.class_uid',
  IMPLEMENTATION_VERSION_NAME: 'dicom.implementation.version_name',
  USER_IDENTITY_TYPE: 'dicom.user_identity.type',
  OPERATIONS: 'dicom.operations',
  BYTES_RECEIVED: 'dicom.bytes_received',
  BYTES_SENT: 'dicom.bytes_sent',
  EVENTS: 'dicom.events',
  /** Events whose seq never arrived (a gap the exporter saw). */
  EVENTS_MISSING: 'dicom.events_missing',
  PARENT_ASSOCIATION_ID: 'dicom.parent.association_id',
  PARENT_MESSAGE_ID: 'dicom.parent.message_id',
  NODE_ID: 'dicom.node.id',
  NODE_MODE: 'dicom.node.mode',
} as const;

/**
 * DICOM TLS of the association's connection (OpenTelemetry's tls.* conventions): the peer is the client on an
 * association we accepted, the server on one we requested.
 */
export const TLS = {
  PROTOCOL_NAME: 'tls.protocol.name',
  PROTOCOL_VERSION: 'tls.protocol.version',
  CIPHER: 'tls.cipher',
  ESTABLISHED: 'tls.established',
  CLIENT_SUBJECT: 'tls.client.subject',
  CLIENT_ISSUER: 'tls.client.issuer',
  CLIENT_SHA256: 'tls.client.hash.sha256',
  SERVER_SUBJECT: 'tls.server.subject',
  SERVER_ISSUER: 'tls.server.issuer',
  SERVER_SHA256: 'tls.server.hash.sha256',
  /** Whether the peer's certificate chain verified against the configured CAs. */
  PEER_VERIFIED: 'dicom.tls.peer_verified',
} as const;

/** Attributes of a DIMSE operation span. */
export const OPERATION = {
  SERVICE: 'dicom.service',
  MESSAGE_ID: 'dicom.message_id',
  /** in: the peer requested it; out: this node requested it (e.g. a C-GET's C-STORE sub-operation). */
  DIRECTION: 'dicom.direction',
  SOP_CLASS_UID: 'dicom.sop_class_uid',
  SOP_CLASS_NAME: 'dicom.sop_class_name',
  /** PHI (an identifier): only with TRACE_INCLUDE_PHI=true. */
  SOP_INSTANCE_UID: 'dicom.sop_instance_uid',
  PRIORITY: 'dicom.priority',
  CONTEXT_ID: 'dicom.context_id',
  TRANSFER_SYNTAX_UID: 'dicom.transfer_syntax_uid',
  STATUS: 'dicom.status',
  STATUS_HEX: 'dicom.status_hex',
  STATUS_CATEGORY: 'dicom.status_category',
  /** PHI (free text that may quote identifiers): only with TRACE_INCLUDE_PHI=true. */
  ERROR_COMMENT: 'dicom.error_comment',
  RESPONSES: 'dicom.responses',
  MOVE_DESTINATION: 'dicom.move_destination',
  SUB_REMAINING: 'dicom.suboperations.remaining',
  SUB_COMPLETED: 'dicom.suboperations.completed',
  SUB_FAILED: 'dicom.suboperations.failed',
  SUB_WARNING: 'dicom.suboperations.warning',
  BYTES: 'dicom.bytes',
  CANCELLED: 'dicom.cancelled',
  /** Set when the operation had no final response before the association ended. */
  INCOMPLETE: 'dicom.incomplete',
  QUERY_RETRIEVE_LEVEL: 'dicom.query_retrieve_level',
  /** PHI: only with TRACE_INCLUDE_PHI=true. */
  PATIENT_ID: 'dicom.patient_id',
  /** PHI: only with TRACE_INCLUDE_PHI=true. */
  PATIENT_NAME: 'dicom.patient_name',
  /** PHI-adjacent identifiers: only with TRACE_INCLUDE_PHI=true. */
  STUDY_INSTANCE_UID: 'dicom.study_instance_uid',
  SERIES_INSTANCE_UID: 'dicom.series_instance_uid',
  ACCESSION_NUMBER: 'dicom.accession_number',
} as const;

/** Attributes of span events (PDUs, FSM transitions, sub-operation progress). */
export const EVENT = {
  PDU_TYPE: 'dicom.pdu.type',
  PDU_LENGTH: 'dicom.pdu.length',
  FSM_CURRENT_STATE: 'dicom.fsm.current_state',
  FSM_EVENT: 'dicom.fsm.event',
  FSM_ACTION: 'dicom.fsm.action',
  FSM_NEXT_STATE: 'dicom.fsm.next_state',
  SEQ: 'dicom.seq',
} as const;

export const PHI_KEYS: readonly string[] = [
  OPERATION.PATIENT_ID,
  OPERATION.PATIENT_NAME,
  OPERATION.STUDY_INSTANCE_UID,
  OPERATION.SERIES_INSTANCE_UID,
  OPERATION.ACCESSION_NUMBER,
  OPERATION.SOP_INSTANCE_UID,
  OPERATION.ERROR_COMMENT,
];

/** Every key this file defines, for tests. */
export const ALL_ATTRIBUTE_KEYS: ReadonlySet<string> = new Set([
  ...Object.values(NET),
  ...Object.values(ASSOCIATION),
  ...Object.values(TLS),
  ...Object.values(OPERATION),
  ...Object.values(EVENT),
]);
