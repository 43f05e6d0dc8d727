/**
 * One association, either role: the ACSE and DIMSE service user on top of the upper layer
 * (upper-layer.ts). Its events (seq, metadata, handlers, sinks) are events/association-events.ts; it negotiates as
 * acceptor (acse/acceptor.ts) or requestor, reassembles DIMSE messages and hands requests to the
 * DIMSE service (dimse-service.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from '@dicomtrail/runtime';
import type { EventType } from '@dicomtrail/schemas';
import { describeAbort } from '../acse/abort-reason.js';
import { acceptedContexts } from '../acse/accepted-contexts.js';
import { type AcceptorDecision, type AcceptorPolicy, negotiateAsAcceptor } from '../acse/acceptor.js';
import { describeReject } from '../acse/reject-reason.js';
import { UpperLayer, type UpperLayerUser } from '../dul/upper-layer.js';
import { AssociationEvents, type EventSubject } from '../events/association-events.js';
import type { Emit } from '../events/emitter.js';
import type { HandlerRegistry } from '../events/event-bus.js';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRj } from '../pdu/associate-rj.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import type { Pdv } from '../pdu/p-data-tf.js';
import { connectionTls } from '../tls/tls-facts.js';
import { DimseService, type DimseServiceOptions } from './dimse-service.js';
import { describeNegotiation } from './negotiation-summary.js';
import type {
  AdapterEvent,
  AssociationInfo,
  AssociationRole,
  Endpoint,
  EventSink,
  NegotiatedContext,
} from './types.js';

export interface AssociationOptions {
  role: AssociationRole;
  socket: Socket;
  handlers: HandlerRegistry<AdapterEvent>;
  sinks: readonly EventSink[];
  log: Logger;
  /** Acceptor: what we accept. */
  policy?: AcceptorPolicy;
  /**
   * Acceptor: decides on an A-ASSOCIATE-RQ instead of the local negotiation with `policy` (the audit proxy
   * asks the upstream SCP: proxy/proxy-server.ts, with proxy/negotiation-relay.ts).
   */
  negotiate?: (assoc: Association, rq: AssociateRq, policy: AcceptorPolicy) => Promise<AcceptorDecision>;
  /**
   * Runs after a peer's A-RELEASE request once the DIMSE service is idle and before our A-RELEASE response
   * (the proxy releases its upstream association first).
   */
  beforeReleaseResponse?: (assoc: Association) => Promise<void>;
  maxPduReceive: number;
  artimTimeoutMs: number;
  /** Established and no PDU either way for this long: aborted, with the reason in EVT_ABORTED (0: never). */
  idleTimeoutMs?: number;
  /** Requestor: the AE titles of the request. */
  callingAeTitle?: string;
  calledAeTitle?: string;
  parent?: { association_id: string; message_id?: number };
  /** Services (storage directory, ...) the DIMSE layer needs. */
  services: DimseServiceOptions<Association>;
}

export type AssociationOutcome =
  | { kind: 'released'; initiator: 'local' | 'remote'; collision: boolean }
  | { kind: 'aborted'; initiator: 'local' | 'remote' | 'dul'; source: number; reason: number; error?: string }
  | {
      kind: 'rejected';
      result: number;
      source: number;
      reason: number;
      initiator: 'local' | 'remote' | 'dul';
    }
  | { kind: 'closed' };

export class Association implements UpperLayerUser, EventSubject {
  readonly id = randomUUID();
  readonly role: AssociationRole;
  readonly handlers: HandlerRegistry<AdapterEvent>;
  readonly log: Logger;
  readonly dul: UpperLayer;
  readonly dimse: DimseService<Association>;
  readonly parent: { association_id: string; message_id?: number } | undefined;
  /** This association's events: sequence, metadata, handlers and sinks (events/association-events.ts). */
  readonly events: AssociationEvents;
  /** Emits an event typed from the schemas catalog (events/emitter.ts). */
  readonly emit: Emit;
  readonly #socket: Socket;
  readonly #opts: AssociationOptions;
  callingAeTitle: string;
  calledAeTitle: string;
  rq: AssociateRq | undefined;
  ac: AssociateAc | undefined;
  rj: AssociateRj | undefined;
  contexts = new Map<number, NegotiatedContext>();
  /** The peer's Maximum Length Received: our outgoing P-DATA-TF limit (0 = unlimited). */
  peerMaxPdu = 0;
  outcome: AssociationOutcome | undefined;
  #releaseInitiator: 'local' | 'remote' | undefined;
  #established = false;
  readonly #closedWaiters: Array<(o: AssociationOutcome) => void> = [];
  #confirmWaiter: ((pdu: AssociateAc | AssociateRj) => void) | undefined;
  #releaseWaiter: (() => void) | undefined;

  constructor(opts: AssociationOptions) {
    this.role = opts.role;
    this.handlers = opts.handlers;
    this.#socket = opts.socket;
    this.#opts = opts;
    this.parent = opts.parent;
    this.callingAeTitle = opts.callingAeTitle ?? '';
    this.calledAeTitle = opts.calledAeTitle ?? '';
    this.log = opts.log.child({ association_id: this.id, role: opts.role });
    this.events = new AssociationEvents({
      subject: this,
      handlers: opts.handlers,
      sinks: opts.sinks,
      log: this.log,
      parent: opts.parent,
    });
    this.emit = this.events.emit;
    this.dul = new UpperLayer(opts.socket, this, {
      role: opts.role,
      maxPduReceive: opts.maxPduReceive,
      artimTimeoutMs: opts.artimTimeoutMs,
      ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    });
    this.dimse = new DimseService(this, opts.services);
  }

  /** The peer's IP address. */
  get remoteAddress(): string {
    return this.#socket.remoteAddress ?? '';
  }

  /** The event sinks of this association (a C-MOVE sub-association writes to the same ones). */
  get sinks(): readonly EventSink[] {
    return this.events.sinks;
  }

  get isEstablished(): boolean {
    return this.#established && this.outcome === undefined;
  }

  // ---------------------------------------------------------------- events

  /** The association metadata of an event (lifecycle events: with the negotiation). */
  info(withNegotiation = false): AssociationInfo {
    return this.events.info(withNegotiation);
  }

  /** Does any handler or sink want this event type? (Work done only for events is skipped otherwise.) */
  wants(type: EventType): boolean {
    return this.events.wants(type);
  }

  /** Resolves once every event emitted so far is durable (see AssociationEvents.durable). */
  durable(): Promise<void> | undefined {
    return this.events.durable();
  }

  /** True once every event emitted so far is written to the event log, synced or not (see AssociationEvents.logged). */
  logged(): boolean {
    return this.events.logged();
  }

  // EventSubject: what the events say of this association.

  endpoints(): { local: Endpoint; remote: Endpoint } {
    return {
      local: { address: this.#socket.localAddress ?? '', port: this.#socket.localPort ?? 0 },
      remote: { address: this.#socket.remoteAddress ?? '', port: this.#socket.remotePort ?? 0 },
    };
  }

  negotiation(): Record<string, unknown> | undefined {
    return this.rq ? describeNegotiation(this.rq, this.ac) : undefined;
  }

  /**
   * Sends an answer once this association's events are durable. If they cannot be made so, the answer is not
   * sent: the association is aborted (the peer is never told of a success the trail does not hold).
   */
  answerWhenDurable(what: string, send: () => void): void {
    const wait = this.durable();
    if (!wait) {
      send();
      return;
    }
    wait
      .then(send, (err: unknown) => this.abortNotDurable(what, err))
      .catch((err: unknown) =>
        // The peer went away while the answer waited (the state machine refuses it): nothing to answer.
        this.log.warn(
          { err: err instanceof Error ? err.message : String(err), answer: what },
          'answer not sent',
        ),
      );
  }

  /** An answer whose events could not be made durable: logged, and the association aborted instead. */
  abortNotDurable(what: string, err: unknown): void {
    this.log.error(
      {
        err: err instanceof Error ? err.message : String(err),
        code: (err as { code?: string }).code,
        answer: what,
      },
      'events could not be made durable: aborting the association instead of answering',
    );
    // After EVT_RELEASED the outcome is set: the release response is replaced by an A-ABORT all the same.
    if (this.outcome) this.dul.abortRequest();
    else this.abort();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Acceptor: the TCP connection is open. */
  start(): void {
    this.emit('EVT_CONN_OPEN', () => ({
      address: { address: this.#socket.remoteAddress ?? '', port: this.#socket.remotePort ?? 0 },
      ...connectionTls(this.#socket),
    }));
    this.dul.connectionIndication();
  }

  /** Requestor: sends the A-ASSOCIATE-RQ once connected; resolves with the AC or RJ. */
  request(rq: AssociateRq, connected: Promise<void>): Promise<AssociateAc | AssociateRj> {
    this.rq = rq;
    this.callingAeTitle = rq.callingAeTitle;
    this.calledAeTitle = rq.calledAeTitle;
    this.emit('EVT_ACSE_SENT', () => ({ primitive: 'A-ASSOCIATE', form: 'request' }));
    this.emit('EVT_REQUESTED', () => ({}));
    const p = new Promise<AssociateAc | AssociateRj>((resolve) => {
      this.#confirmWaiter = resolve;
    });
    connected.then(
      () =>
        this.emit('EVT_CONN_OPEN', () => ({
          address: { address: this.#socket.remoteAddress ?? '', port: this.#socket.remotePort ?? 0 },
          ...connectionTls(this.#socket),
        })),
      () => undefined,
    );
    this.dul.associateRequest(rq, connected);
    return p;
  }

  /** Resolves when the association is over and the transport closed. */
  closed(): Promise<AssociationOutcome> {
    if (this.outcome && this.#transportClosed) return Promise.resolve(this.outcome);
    return new Promise((resolve) => this.#closedWaiters.push(resolve));
  }

  /** A-RELEASE request; resolves on the A-RELEASE confirmation (or when the association ends otherwise). */
  release(): Promise<void> {
    if (!this.isEstablished) return Promise.resolve();
    this.#releaseInitiator = 'local';
    this.emit('EVT_ACSE_SENT', () => ({ primitive: 'A-RELEASE', form: 'request' }));
    const p = new Promise<void>((resolve) => {
      this.#releaseWaiter = resolve;
      this.closed().then(() => resolve());
    });
    this.dul.releaseRequest();
    return p;
  }

  /** A-ABORT request (service-user source); `detail` is recorded as the abort's cause detail. */
  abort(detail?: string): void {
    if (this.outcome) return;
    this.emit('EVT_ACSE_SENT', () => ({ primitive: 'A-ABORT' }));
    this.dul.abortRequest(detail);
  }

  onIdle(idleMs: number): void {
    this.log.warn({ idle_ms: idleMs }, 'association idle; aborting');
    this.abort(`idle for ${idleMs} ms (DICOM_IDLE_TIMEOUT_MS)`);
  }

  // ---------------------------------------------------------------- UpperLayerUser

  onAssociateIndication(rq: AssociateRq): void {
    this.rq = rq;
    this.callingAeTitle = rq.callingAeTitle;
    this.calledAeTitle = rq.calledAeTitle;
    this.peerMaxPdu = rq.userInformation.maxLength ?? 0;
    this.emit('EVT_ACSE_RECV', () => ({ primitive: 'A-ASSOCIATE', form: 'request' }));
    this.emit('EVT_REQUESTED', () => ({}));
    const decide = this.#opts.negotiate ?? negotiateAsAcceptor;
    decide(this, rq, this.#opts.policy!).then(
      (decision) => {
        if (decision.kind === 'accept') {
          this.ac = decision.ac;
          for (const c of decision.contexts) this.contexts.set(c.id, c);
          this.emit('EVT_ACSE_SENT', () => ({ primitive: 'A-ASSOCIATE', form: 'accept' }));
          this.#established = true;
          this.emit('EVT_ACCEPTED', () => ({}));
          this.emit('EVT_ESTABLISHED', () => ({}));
          this.answerWhenDurable('A-ASSOCIATE-AC', () => {
            if (this.outcome === undefined) this.dul.acceptAssociation(decision.ac);
          });
        } else {
          this.rj = decision.rj;
          const cause = {
            ...describeReject(decision.rj),
            initiator: 'local' as const,
            ...(decision.detail ? { detail: decision.detail } : {}),
          };
          this.outcome = { kind: 'rejected', ...decision.rj, initiator: 'local' };
          this.emit('EVT_ACSE_SENT', () => ({ primitive: 'A-ASSOCIATE', form: 'reject', cause }));
          this.emit('EVT_REJECTED', () => ({ cause }));
          this.dul.rejectAssociation(decision.rj);
        }
      },
      (err: unknown) => {
        this.log.error({ err }, 'association negotiation failed; aborting');
        this.abort();
      },
    );
  }

  onAssociateConfirm(pdu: AssociateAc | AssociateRj): void {
    if (pdu.type === 'A-ASSOCIATE-AC') {
      this.ac = pdu;
      this.peerMaxPdu = pdu.userInformation.maxLength ?? 0;
      if (this.rq) for (const c of acceptedContexts(this.rq, pdu)) this.contexts.set(c.id, c);
      this.emit('EVT_ACSE_RECV', () => ({ primitive: 'A-ASSOCIATE', form: 'accept' }));
      this.#established = true;
      this.emit('EVT_ACCEPTED', () => ({}));
      this.emit('EVT_ESTABLISHED', () => ({}));
    } else {
      this.rj = pdu;
      const cause = { ...describeReject(pdu), initiator: 'remote' as const };
      this.outcome = {
        kind: 'rejected',
        result: pdu.result,
        source: pdu.source,
        reason: pdu.reason,
        initiator: 'remote',
      };
      this.emit('EVT_ACSE_RECV', () => ({ primitive: 'A-ASSOCIATE', form: 'reject', cause }));
      this.emit('EVT_REJECTED', () => ({ cause }));
    }
    this.#confirmWaiter?.(pdu);
    this.#confirmWaiter = undefined;
  }

  onPData(pdvs: readonly Pdv[]): void {
    this.dimse.receive(pdvs);
  }

  onReleaseIndication(collision: boolean): void {
    this.emit('EVT_ACSE_RECV', () => ({ primitive: 'A-RELEASE', form: 'request' }));
    if (!collision) this.#releaseInitiator = 'remote';
    // Release collision, acceptor side (Sta10): answer only after the peer's A-RELEASE-RP (AR-10, Sta12).
    if (collision && this.role === 'acceptor') return;
    // Answer once the DIMSE service has finished what is in flight (a release never cuts a response).
    this.dimse
      .idle()
      .then(() => this.#opts.beforeReleaseResponse?.(this))
      .catch((err: unknown) => this.log.warn({ err }, 'before the release response'))
      .then(() => {
        if (this.outcome) return;
        this.emit('EVT_ACSE_SENT', () => ({ primitive: 'A-RELEASE', form: 'response' }));
        this.#released(collision);
        this.answerWhenDurable('A-RELEASE-RP', () => this.dul.releaseResponse());
      });
  }

  onReleaseConfirm(): void {
    this.emit('EVT_ACSE_RECV', () => ({ primitive: 'A-RELEASE', form: 'response' }));
    if (this.dul.state === 'Sta12') {
      // AR-10: the collision's confirmation; now give our own A-RELEASE response (Evt14 → AR-4).
      queueMicrotask(() => {
        this.emit('EVT_ACSE_SENT', () => ({ primitive: 'A-RELEASE', form: 'response' }));
        this.#released(true);
        this.answerWhenDurable('A-RELEASE-RP', () => {
          this.dul.releaseResponse();
          this.#releaseWaiter?.();
        });
      });
      return;
    }
    this.#released(false);
    this.#releaseWaiter?.();
  }

  #released(collision: boolean): void {
    if (this.outcome) return;
    const initiator = this.#releaseInitiator ?? 'remote';
    this.outcome = { kind: 'released', initiator, collision };
    this.emit('EVT_RELEASED', () => ({ initiator, collision }));
  }

  onAbort(cause: {
    initiator: 'local' | 'remote' | 'dul';
    source: number;
    reason: number;
    error?: string;
  }): void {
    if (this.outcome && this.outcome.kind !== 'closed') return;
    this.outcome = { kind: 'aborted', ...cause };
    const c = {
      ...describeAbort(cause.source, cause.reason),
      initiator: cause.initiator,
      ...(cause.error ? { detail: cause.error } : {}),
    };
    const primitive = cause.source === 0 ? 'A-ABORT' : 'A-P-ABORT';
    if (cause.initiator === 'remote') this.emit('EVT_ACSE_RECV', () => ({ primitive, cause: c }));
    this.emit('EVT_ABORTED', () => ({ cause: c }));
    this.dimse.abortPending(cause.error ?? 'association aborted');
  }

  #transportClosed = false;

  onClosed(): void {
    if (this.#transportClosed) return;
    this.#transportClosed = true;
    if (!this.outcome) {
      // A bare connect and close (spec §9.2): no association, but say so.
      this.outcome = { kind: 'closed' };
    }
    this.dimse.abortPending('transport closed');
    this.#confirmWaiter?.({ type: 'A-ASSOCIATE-RJ', result: 1, source: 2, reason: 1 });
    for (const w of this.#closedWaiters.splice(0)) w(this.outcome);
  }
}
