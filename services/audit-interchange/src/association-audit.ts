/**
 * What the audit messages need of one association, folded from its events as they arrive: who called whom from
 * where, the user identity, how it ended and why, every operation's outcome event, the C-STOREs this node sent
 * (a C-GET's sub-operations) with their responses, and the patients a C-FIND's matches named. Only these are kept (no
 * PDU, FSM or data events), so a long association stays small. Pure: events in, values out; no clock.
 *
 * The association is complete when its DUL is back in Sta1 (or its connection closed, for a stream without FSM
 * events): then the message kinds (messages/) turn it into audit messages.
 */
import type { DicomtrailEvent } from '@dicomtrail/schemas';
import { type DicomJson, firstValue, isDicomJson, TAG } from './dicom-json.js';

export type AssociationEvent = Extract<DicomtrailEvent, { association: unknown }>;

export interface Endpoint {
  aeTitle: string;
  address?: string;
  port?: number;
}

export interface OperationEvent {
  type: string;
  timestamp: string;
  params: Record<string, unknown>;
}

/** A C-STORE this node sent on the association (a C-GET sub-operation) and the status it got back. */
export interface SentStore {
  messageId: number;
  timestamp: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  patientId: string;
  patientName: string;
  accession: string;
  status?: number;
  statusCategory?: string;
}

export interface UserIdentityRecord {
  timestamp: string;
  typeName: string;
  /** The username (types 1 and 2); tokens are never kept, only their hash. */
  username?: string;
  tokenSha256?: string;
  verified: boolean;
  /** How it was checked (EVT_USER_ID's verification: verified, not-checked, refused, upstream-*), when known. */
  verification?: string;
  /** Why a refused identity was refused (never the secret). */
  reason?: string;
}

export interface TimedParams {
  timestamp: string;
  params: Record<string, unknown>;
}

export interface AssociationAudit {
  id: string;
  traceId: string;
  spanId: string;
  node: { id: string; hostname: string; mode: string };
  role: 'acceptor' | 'requestor';
  /** The association requestor (calling AE title) and acceptor (called AE title), with their addresses. */
  requestor: Endpoint;
  acceptor: Endpoint;
  parent?: { association_id: string; message_id?: number };
  /** For a proxied association: the upstream the proxy relayed it to (set by the consumer, not the events). */
  proxiedTo?: Endpoint;
  /**
   * The C-STOREs of this association's C-MOVE sub-associations (scp mode), by the C-MOVE's message id: set by the
   * consumer from the sub-associations, so the C-MOVE's messages can name the patient and SOP classes moved.
   */
  moveSubStores?: Map<number, SentStore[]>;
  firstAt: string;
  lastAt: string;
  outcome?: 'released' | 'aborted' | 'rejected';
  endedAt?: string;
  cause?: Record<string, unknown>;
  userIdentity?: UserIdentityRecord;
  invalidPdus: TimedParams[];
  spoolLimit?: TimedParams;
  operations: OperationEvent[];
  sentStores: SentStore[];
  /** The patients (id -> name) in the pending C-FIND responses this node sent, by the request's message id. */
  findPatients: Map<number, Map<string, string>>;
}

const OPERATION_TYPES = new Set([
  'EVT_C_STORE',
  'EVT_C_FIND',
  'EVT_C_GET',
  'EVT_C_MOVE',
  'EVT_N_CREATE',
  'EVT_N_SET',
  'EVT_N_ACTION',
  'EVT_N_EVENT_REPORT',
  'EVT_N_GET',
  'EVT_N_DELETE',
]);

function endpoints(a: AssociationEvent['association']): { requestor: Endpoint; acceptor: Endpoint } {
  const local = { address: a.local.address, port: a.local.port };
  const remote = { address: a.remote.address, port: a.remote.port };
  return a.role === 'acceptor'
    ? {
        requestor: { aeTitle: a.calling_ae_title, ...remote },
        acceptor: { aeTitle: a.called_ae_title, ...local },
      }
    : {
        requestor: { aeTitle: a.calling_ae_title, ...local },
        acceptor: { aeTitle: a.called_ae_title, ...remote },
      };
}

function record(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {};
}

export class AssociationAuditBuilder {
  readonly audit: AssociationAudit;
  /** The DUL returned to Sta1 (or the connection closed without FSM events): nothing follows. */
  finished = false;
  /** The stream showed the association's beginning (after a restart the consumer may re-read only a tail). */
  headed = false;
  #maxSeq = -1;
  #fsmSeen = false;

  constructor(first: AssociationEvent) {
    const a = first.association;
    this.audit = {
      id: a.id,
      traceId: first.trace.trace_id,
      spanId: first.trace.parent_span_id ?? first.trace.span_id,
      node: { id: first.node.id, hostname: first.node.hostname, mode: first.node.mode },
      role: a.role,
      ...endpoints(a),
      firstAt: first.timestamp,
      lastAt: first.timestamp,
      invalidPdus: [],
      operations: [],
      sentStores: [],
      findPatients: new Map(),
    };
  }

  /** Folds one event in; false for a duplicate (a seq already applied). */
  apply(e: AssociationEvent): boolean {
    if (e.seq <= this.#maxSeq) return false;
    this.#maxSeq = e.seq;
    const a = this.audit;
    if (e.seq === 0 || e.type === 'EVT_CONN_OPEN' || e.type === 'EVT_REQUESTED') this.headed = true;
    if (e.timestamp > a.lastAt) a.lastAt = e.timestamp;
    if (e.parent) a.parent = e.parent;
    // AE titles are known from the A-ASSOCIATE-RQ on; the last lifecycle events may come after the socket closed.
    if (e.association.calling_ae_title && (e.association.negotiation || !a.requestor.aeTitle)) {
      const ends = endpoints(e.association);
      a.requestor = { ...a.requestor, ...ends.requestor };
      a.acceptor = { ...a.acceptor, ...ends.acceptor };
    }
    const identity = e.association.negotiation?.user_identity;
    if (identity && !a.userIdentity) a.userIdentity = this.#identity(e.timestamp, identity, false);
    this.#dispatch(e);
    return true;
  }

  #identity(timestamp: string, id: Record<string, unknown>, verified: boolean): UserIdentityRecord {
    const typeName = String(id['type_name'] ?? '');
    return {
      timestamp,
      typeName,
      ...(typeof id['primary_field'] === 'string' ? { username: id['primary_field'] } : {}),
      ...(typeof id['token_sha256'] === 'string' ? { tokenSha256: id['token_sha256'] } : {}),
      verified,
    };
  }

  #dispatch(e: AssociationEvent): void {
    const a = this.audit;
    const params = record(e.params);
    switch (e.type) {
      case 'EVT_RELEASED':
      case 'EVT_ABORTED':
      case 'EVT_REJECTED':
      case 'EVT_DUL_REJECTED':
        if (!a.outcome) {
          a.outcome =
            e.type === 'EVT_RELEASED' ? 'released' : e.type === 'EVT_ABORTED' ? 'aborted' : 'rejected';
          a.endedAt = e.timestamp;
          if (params['cause']) a.cause = record(params['cause']);
        }
        return;
      case 'EVT_USER_ID':
        a.userIdentity = {
          ...this.#identity(e.timestamp, record(params['user_identity']), params['verified'] === true),
          ...(typeof params['verification'] === 'string' ? { verification: params['verification'] } : {}),
          ...(typeof params['reason'] === 'string' ? { reason: params['reason'] } : {}),
        };
        return;
      case 'EVT_INVALID_PDU':
        a.invalidPdus.push({ timestamp: e.timestamp, params });
        return;
      case 'EVT_SPOOL_LIMIT':
        a.spoolLimit = { timestamp: e.timestamp, params };
        return;
      case 'EVT_CONN_CLOSE':
        if (!this.#fsmSeen) this.finished = true;
        return;
      case 'EVT_FSM_TRANSITION':
        this.#fsmSeen = true;
        if (e.params.next_state === 'Sta1' && e.params.current_state !== 'Sta1') this.finished = true;
        return;
      case 'EVT_DIMSE_SENT':
      case 'EVT_DIMSE_RECV':
        this.#dimse(e.type === 'EVT_DIMSE_SENT', e.timestamp, record(params['message']));
        return;
      default:
        if (OPERATION_TYPES.has(e.type)) a.operations.push({ type: e.type, timestamp: e.timestamp, params });
    }
  }

  #dimse(sent: boolean, timestamp: string, m: Record<string, unknown>): void {
    const a = this.audit;
    const type = m['message_type'];
    const command = record(m['command']);
    if (sent && type === 'C-STORE-RQ') {
      const ds = isDicomJson(m['dataset']) ? (m['dataset'] as DicomJson) : undefined;
      a.sentStores.push({
        messageId: Number(command['message_id']),
        timestamp,
        sopClassUid: String(command['affected_sop_class_uid'] ?? firstValue(ds, TAG.sopClassUid)),
        sopInstanceUid: String(command['affected_sop_instance_uid'] ?? firstValue(ds, TAG.sopInstanceUid)),
        studyUid: firstValue(ds, TAG.studyInstanceUid),
        patientId: firstValue(ds, TAG.patientId),
        patientName: firstValue(ds, TAG.patientName),
        accession: firstValue(ds, TAG.accessionNumber),
      });
    } else if (!sent && type === 'C-STORE-RSP') {
      const id = Number(command['message_id_being_responded_to']);
      for (let i = a.sentStores.length - 1; i >= 0; i--) {
        const s = a.sentStores[i] as SentStore;
        if (s.messageId === id && s.status === undefined) {
          s.status = Number(command['status']);
          s.statusCategory = String(command['status_category'] ?? '');
          break;
        }
      }
    } else if (sent && type === 'C-FIND-RSP' && command['status_category'] === 'pending') {
      const identifier = m['identifier'];
      if (!isDicomJson(identifier)) return;
      const ds = identifier as DicomJson;
      const id = Number(command['message_id_being_responded_to']);
      const patients = a.findPatients.get(id) ?? new Map<string, string>();
      const patientId = firstValue(ds, TAG.patientId);
      if (patientId && !patients.has(patientId)) patients.set(patientId, firstValue(ds, TAG.patientName));
      a.findPatients.set(id, patients);
    }
  }
}
