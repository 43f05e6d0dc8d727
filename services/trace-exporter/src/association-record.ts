/**
 * What the exporter remembers of one association while its events arrive: a compact record folded from the
 * events (never the events themselves, so 10,000 open associations stay small). Pure: no I/O, no clock; times
 * are the events' own timestamps in microseconds since the epoch.
 *
 * Operations are keyed by direction and message id: `in` = the peer sent the request (EVT_DIMSE_RECV *-RQ,
 * answered by EVT_DIMSE_SENT *-RSP), `out` = this node sent it (a C-GET's C-STORE sub-operations, a C-MOVE
 * sub-association's C-STOREs). The intervention event (EVT_C_STORE, EVT_C_FIND, ...) adds the outcome.
 */
import type { DicomtrailEvent, EventOf } from '@dicomtrail/schemas';

export type AssociationEvent = Extract<DicomtrailEvent, { association: unknown }>;
type DimseMessage = EventOf<'EVT_DIMSE_RECV'>['params']['message'];
type Command = DimseMessage['command'];
type CauseValue = EventOf<'EVT_ABORTED'>['params']['cause'];

/** interrupted: cut off by a crash of the node that served it (EVT_ASSOCIATION_INTERRUPTED, recorded at its restart). */
export type Outcome = 'released' | 'aborted' | 'rejected' | 'interrupted';

export interface TimedEvent {
  name: string;
  us: number;
  attributes: Record<string, string | number | boolean>;
}

export interface OperationRecord {
  key: string;
  service: string;
  messageId: number;
  direction: 'in' | 'out';
  startUs: number;
  endUs?: number;
  request?: Command;
  /** The final (non-pending) response. */
  response?: Command;
  /** Data set bytes carried by the request and responses. */
  bytes: number;
  responses: number;
  /** The intervention event's params (outcome, context, datasets). */
  outcome?: Record<string, unknown>;
  /** Key of the C-GET this C-STORE serves (same association). */
  parentKey?: string;
  events: TimedEvent[];
  droppedEvents: number;
}

export interface NegotiationSummary {
  proposed?: number;
  accepted?: number;
  maxPduRequestor?: number;
  maxPduAcceptor?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  userIdentityType?: string;
}

export interface RecordOptions {
  pduEvents: boolean;
  fsmEvents: boolean;
  /** Span events kept per span; the rest are counted. */
  maxSpanEvents: number;
}

/** Lifecycle events kept as span events (the connection events fall outside the span: request to end). */
const LIFECYCLE: Partial<Record<AssociationEvent['type'], string>> = {
  EVT_REQUESTED: 'A-ASSOCIATE request',
  EVT_ACCEPTED: 'A-ASSOCIATE accept',
  EVT_ESTABLISHED: 'established',
  EVT_REJECTED: 'A-ASSOCIATE reject',
  EVT_DUL_REJECTED: 'A-ASSOCIATE reject (protocol version)',
  EVT_RELEASED: 'A-RELEASE',
  EVT_ABORTED: 'A-ABORT',
  EVT_INVALID_PDU: 'invalid PDU',
};

export function toMicros(timestamp: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(timestamp);
  if (!m) return Number.NaN;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return ms * 1000 + Number(frac);
}

export class AssociationRecord {
  readonly id: string;
  readonly traceId: string;
  readonly rootSpanId: string;
  association: AssociationEvent['association'];
  parent?: { association_id: string; message_id?: number };
  node: AssociationEvent['node'];
  negotiation: NegotiationSummary = {};
  firstUs: number;
  lastUs: number;
  requestedUs?: number;
  endUs?: number;
  outcome?: Outcome;
  cause?: CauseValue;
  releaseInitiator?: string;
  /** EVT_ASSOCIATION_INTERRUPTED's account of how it ended. */
  interruption?: { detail: string; node_id: string; last_seq: number };
  /** DICOM TLS facts of the connection (EVT_CONN_OPEN); undefined: plaintext. */
  tls?: EventOf<'EVT_CONN_OPEN'>['params']['tls'];
  /** True once the stream showed the association's beginning (seq 0, connection open or request). */
  headed = false;
  connClosed = false;
  fsmSeen = false;
  /** The DUL returned to Sta1 (or the connection closed when no FSM events are published): nothing follows. */
  finished = false;
  bytesReceived = 0;
  bytesSent = 0;
  eventCount = 0;
  maxSeq = -1;
  seqSeen = 0;
  readonly ops = new Map<string, OperationRecord>();
  readonly events: TimedEvent[] = [];
  droppedEvents = 0;

  constructor(
    first: AssociationEvent,
    private readonly opts: RecordOptions,
  ) {
    this.id = first.association.id;
    this.traceId = first.trace.trace_id;
    this.rootSpanId = first.trace.parent_span_id ?? first.trace.span_id;
    this.association = first.association;
    this.node = first.node;
    this.firstUs = toMicros(first.timestamp);
    this.lastUs = this.firstUs;
  }

  /** Folds one event in; false for a duplicate (a seq already applied). */
  apply(e: AssociationEvent): boolean {
    if (e.seq <= this.maxSeq) return false;
    this.maxSeq = e.seq;
    this.seqSeen++;
    this.eventCount++;
    const us = toMicros(e.timestamp);
    this.lastUs = Math.max(this.lastUs, us);
    if (e.seq === 0 || e.type === 'EVT_CONN_OPEN' || e.type === 'EVT_REQUESTED') this.headed = true;
    if (e.parent) this.parent = e.parent;
    // Lifecycle events carry the negotiation and live addresses; the very last ones may come after the socket
    // closed (local address unknown), so the association is taken from the latest lifecycle event.
    if (e.association.negotiation) {
      this.#negotiation(e.association);
      this.association = e.association;
    } else if (!this.association.calling_ae_title && e.association.calling_ae_title)
      this.association = e.association;
    const lifecycle = LIFECYCLE[e.type];
    if (lifecycle) this.#event(this, { name: lifecycle, us, attributes: {} });
    this.#dispatch(e, us);
    return true;
  }

  /** Events whose seq was skipped (lost or filtered upstream). */
  get missingEvents(): number {
    return this.headed ? this.maxSeq + 1 - this.seqSeen : 0;
  }

  #dispatch(e: AssociationEvent, us: number): void {
    switch (e.type) {
      case 'EVT_REQUESTED':
        this.requestedUs ??= us;
        return;
      case 'EVT_CONN_OPEN':
        if (e.params.tls) this.tls = e.params.tls;
        return;
      case 'EVT_RELEASED':
        this.#end('released', us);
        this.releaseInitiator = e.params.initiator;
        return;
      case 'EVT_ABORTED':
        this.#end('aborted', us);
        this.cause = e.params.cause;
        return;
      case 'EVT_REJECTED':
      case 'EVT_DUL_REJECTED':
        this.#end('rejected', us);
        this.cause = e.params.cause;
        return;
      case 'EVT_ASSOCIATION_INTERRUPTED':
        // The span ends where the association's last event was, not at the restart that recorded the crash.
        this.#end('interrupted', e.params.last_timestamp ? toMicros(e.params.last_timestamp) : us);
        this.interruption = {
          detail: e.params.detail,
          node_id: e.params.node_id,
          last_seq: e.params.last_seq,
        };
        this.finished = true;
        return;
      case 'EVT_CONN_CLOSE':
        this.connClosed = true;
        if (!this.fsmSeen) this.finished = true;
        return;
      case 'EVT_FSM_TRANSITION':
        this.fsmSeen = true;
        if (this.opts.fsmEvents) this.#fsm(e, us);
        if (e.params.next_state === 'Sta1' && e.params.current_state !== 'Sta1') this.finished = true;
        return;
      case 'EVT_DATA_RECV':
        this.bytesReceived += e.params.length;
        return;
      case 'EVT_DATA_SENT':
        this.bytesSent += e.params.length;
        return;
      case 'EVT_PDU_RECV':
      case 'EVT_PDU_SENT':
        if (this.opts.pduEvents) {
          const dir = e.type === 'EVT_PDU_RECV' ? 'received' : 'sent';
          this.#event(this, {
            name: `${e.params.pdu.pdu_type} ${dir}`,
            us,
            attributes: { 'dicom.pdu.type': e.params.pdu.pdu_type, 'dicom.pdu.length': e.params.pdu.length },
          });
        }
        return;
      case 'EVT_DIMSE_RECV':
      case 'EVT_DIMSE_SENT':
        this.#dimse(e.params.message, e.type === 'EVT_DIMSE_RECV' ? 'recv' : 'sent', us);
        return;
      case 'EVT_C_ECHO':
      case 'EVT_C_STORE':
      case 'EVT_C_FIND':
      case 'EVT_C_GET':
      case 'EVT_C_MOVE':
      case 'EVT_N_ACTION':
      case 'EVT_N_CREATE':
      case 'EVT_N_DELETE':
      case 'EVT_N_EVENT_REPORT':
      case 'EVT_N_GET':
      case 'EVT_N_SET':
        this.#intervention(e.type, e.params as unknown as Record<string, unknown>, us);
        return;
      default:
        return;
    }
  }

  #end(outcome: Outcome, us: number): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.endUs = us;
  }

  #fsm(e: EventOf<'EVT_FSM_TRANSITION'>, us: number): void {
    const p = e.params;
    this.#event(this, {
      name: `${p.current_state} ${p.fsm_event} ${p.action} -> ${p.next_state}`,
      us,
      attributes: {
        'dicom.fsm.current_state': p.current_state,
        'dicom.fsm.event': p.fsm_event,
        'dicom.fsm.action': p.action,
        'dicom.fsm.next_state': p.next_state,
      },
    });
  }

  #dimse(m: DimseMessage, way: 'recv' | 'sent', us: number): void {
    const kind = m.message_type.slice(-2);
    const service = m.message_type.slice(0, -3);
    const c = m.command;
    const bytes = m.data_set?.length ?? 0;
    if (service === 'C-CANCEL') {
      const op = this.ops.get(`${way === 'recv' ? 'in' : 'out'}:${c.message_id_being_responded_to}`);
      if (op) this.#event(op, { name: 'C-CANCEL-RQ', us, attributes: {} });
      return;
    }
    if (kind === 'RQ' && c.message_id !== undefined) {
      const op = this.#op(way === 'recv' ? 'in' : 'out', c.message_id, service, us);
      op.request = c;
      op.bytes += bytes;
      return;
    }
    if (kind === 'SP' && c.message_id_being_responded_to !== undefined) {
      const op = this.ops.get(`${way === 'sent' ? 'in' : 'out'}:${c.message_id_being_responded_to}`);
      if (!op) return;
      op.responses++;
      op.bytes += bytes;
      if (c.status_category === 'pending') {
        if (op.service === 'C-GET' || op.service === 'C-MOVE') this.#progress(op, c, us);
        return;
      }
      op.response = c;
      op.endUs = us;
    }
  }

  #progress(op: OperationRecord, c: Command, us: number): void {
    const attributes: Record<string, number> = {};
    if (c.number_of_remaining_suboperations !== undefined)
      attributes['dicom.suboperations.remaining'] = c.number_of_remaining_suboperations;
    if (c.number_of_completed_suboperations !== undefined)
      attributes['dicom.suboperations.completed'] = c.number_of_completed_suboperations;
    if (c.number_of_failed_suboperations !== undefined)
      attributes['dicom.suboperations.failed'] = c.number_of_failed_suboperations;
    if (c.number_of_warning_suboperations !== undefined)
      attributes['dicom.suboperations.warning'] = c.number_of_warning_suboperations;
    this.#event(op, { name: 'pending response', us, attributes });
  }

  #op(direction: 'in' | 'out', messageId: number, service: string, us: number): OperationRecord {
    const key = `${direction}:${messageId}`;
    let op = this.ops.get(key);
    if (!op) {
      op = {
        key,
        service,
        messageId,
        direction,
        startUs: us,
        bytes: 0,
        responses: 0,
        events: [],
        droppedEvents: 0,
      };
      if (direction === 'out' && service === 'C-STORE') op.parentKey = this.#openGet();
      this.ops.set(key, op);
    }
    return op;
  }

  /** The C-GET in progress on this association, which a C-STORE this node sends serves. */
  #openGet(): string | undefined {
    for (const op of this.ops.values())
      if (op.direction === 'in' && op.service === 'C-GET' && op.endUs === undefined) return op.key;
    return undefined;
  }

  #intervention(type: string, params: Record<string, unknown>, us: number): void {
    const messageId = params['message_id'];
    if (typeof messageId !== 'number') return;
    const service = type.slice(4).replaceAll('_', '-');
    const op = this.#op('in', messageId, service, us);
    op.outcome = params;
  }

  #event(holder: { events: TimedEvent[]; droppedEvents: number }, ev: TimedEvent): void {
    if (holder.events.length < this.opts.maxSpanEvents) holder.events.push(ev);
    else holder.droppedEvents++;
  }

  #negotiation(a: AssociationEvent['association']): void {
    const n = a.negotiation;
    if (!n) return;
    const s = this.negotiation;
    s.proposed = n.proposed_contexts.length;
    if (n.accepted_contexts) s.accepted = n.accepted_contexts.length;
    s.maxPduRequestor = n.max_pdu.requestor;
    if (n.max_pdu.acceptor !== undefined) s.maxPduAcceptor = n.max_pdu.acceptor;
    const impl =
      a.role === 'acceptor' ? n.implementation.requestor : (n.implementation.acceptor ?? undefined);
    if (impl) {
      s.implementationClassUid = impl.class_uid;
      if (impl.version_name) s.implementationVersionName = impl.version_name;
    }
    if (n.user_identity) s.userIdentityType = n.user_identity.type_name;
  }
}
