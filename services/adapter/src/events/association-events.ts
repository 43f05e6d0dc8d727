/**
 * The life of an association's events, in one place: each gets the next sequence number (0, 1, 2, ... per
 * association, no gaps), the association metadata, a timestamp, and goes to the bound notification handlers
 * and to the sinks that want its type. `emit` is typed from the schemas catalog (events/emitter.ts).
 */
import type { Logger } from '@dicomtrail/runtime';
import type { EventType } from '@dicomtrail/schemas';
import { materializeHere } from '../dataset/deferred-dicom-json.js';
import type { AdapterEvent, AssociationInfo, AssociationRole, Endpoint, EventSink } from './adapter-event.js';
import { utcTimestamp } from './clock.js';
import type { Emit, EventEmitter } from './emitter.js';
import type { HandlerRegistry } from './event-bus.js';

/** What the events say of their association; read when an event is emitted. */
export interface EventSubject {
  readonly id: string;
  readonly role: AssociationRole;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  /** The transport's local and remote addresses (port 0 until connected). */
  endpoints(): { local: Endpoint; remote: Endpoint };
  /** The negotiation, for lifecycle events; undefined before the A-ASSOCIATE-RQ. */
  negotiation(): Record<string, unknown> | undefined;
}

export interface AssociationEventsOptions {
  subject: EventSubject;
  handlers: HandlerRegistry<AdapterEvent>;
  sinks: readonly EventSink[];
  log: Logger;
  parent?: { association_id: string; message_id?: number } | undefined;
}

/** Lifecycle events carry the whole negotiation. */
const LIFECYCLE = new Set<EventType>([
  'EVT_REQUESTED',
  'EVT_ACCEPTED',
  'EVT_REJECTED',
  'EVT_ESTABLISHED',
  'EVT_RELEASED',
  'EVT_ABORTED',
]);

export class AssociationEvents implements EventEmitter {
  readonly handlers: HandlerRegistry<AdapterEvent>;
  readonly sinks: readonly EventSink[];
  readonly #subject: EventSubject;
  readonly #log: Logger;
  readonly #parent: { association_id: string; message_id?: number } | undefined;
  readonly #sinksTakeDeferred: boolean;
  readonly #durableSinks: readonly EventSink[];
  #seq = 0;
  #info: AssociationInfo | undefined;

  constructor(opts: AssociationEventsOptions) {
    this.#subject = opts.subject;
    this.handlers = opts.handlers;
    this.sinks = opts.sinks;
    this.#log = opts.log;
    // Frozen: the envelope's text of the association, parent and node is then kept (events/envelope.ts).
    this.#parent = opts.parent ? Object.freeze({ ...opts.parent }) : undefined;
    this.#sinksTakeDeferred = opts.sinks.every((s) => s.acceptsDeferred === true);
    this.#durableSinks = opts.sinks.filter((s) => s.durable !== undefined);
  }

  /** The sequence number the next event gets (= events emitted so far). */
  get nextSeq(): number {
    return this.#seq;
  }

  /**
   * The association metadata of an event. The same frozen object while nothing in it changes (AE titles set,
   * socket connected), so many events share it: a sink that sends events to another thread copies it once
   * per message. Lifecycle events get their own copy with the negotiation.
   */
  info(withNegotiation = false): AssociationInfo {
    const s = this.#subject;
    let info = this.#info;
    if (
      !info ||
      info.calling_ae_title !== s.callingAeTitle ||
      info.called_ae_title !== s.calledAeTitle ||
      info.remote.port === 0
    ) {
      const { local, remote } = s.endpoints();
      info = Object.freeze({
        id: s.id,
        role: s.role,
        calling_ae_title: s.callingAeTitle,
        called_ae_title: s.calledAeTitle,
        local: Object.freeze(local),
        remote: Object.freeze(remote),
      });
      this.#info = info;
    }
    if (withNegotiation) {
      const negotiation = s.negotiation();
      if (negotiation) return { ...info, negotiation };
    }
    return info;
  }

  wants(type: EventType): boolean {
    if (this.handlers.notificationHandlers(type).length > 0) return true;
    for (const s of this.sinks) if (s.wants(type)) return true;
    return false;
  }

  emit: Emit = (type, build, messageId) => {
    if (!this.wants(type)) return;
    const handlers = this.handlers.notificationHandlers(type);
    const timestamp = utcTimestamp();
    const seq = this.#seq++;
    const association = this.info(LIFECYCLE.has(type));
    const params = build() as Record<string, unknown>;
    const event: AdapterEvent = {
      type,
      timestamp,
      seq,
      association,
      // Handlers see decoded data sets; sinks that say so take them undecoded (dataset/deferred-dicom-json.ts).
      params: handlers.length > 0 || !this.#sinksTakeDeferred ? materializeHere(params) : params,
      ...(this.#parent ? { parent: this.#parent } : {}),
      ...(messageId !== undefined ? { messageId } : {}),
    };
    for (const h of handlers) {
      try {
        h(event);
      } catch (err) {
        this.#log.error({ err, event: type }, 'notification handler failed');
      }
    }
    for (const s of this.sinks) {
      if (!s.wants(type)) continue;
      try {
        s.write(event);
      } catch (err) {
        this.#log.error({ err, event: type }, 'event sink failed');
      }
    }
  };

  /**
   * Resolves once every event emitted so far is durable in a sink that keeps them so (the write-ahead log):
   * an answer to the peer waits on it. Undefined when no sink makes events durable or all already are.
   */
  durable(): Promise<void> | undefined {
    let wait: Promise<void> | undefined;
    for (const s of this.#durableSinks) {
      const p = s.durable?.(this.#subject.id);
      if (p) wait = wait ? Promise.all([wait, p]).then(() => undefined) : p;
    }
    return wait;
  }

  /**
   * True once every event emitted so far is written to the log of each sink that makes events durable (not
   * yet synced: `durable` does that); false when one of them could not be written.
   */
  logged(): boolean {
    let ok = true;
    for (const s of this.#durableSinks) if (s.logged?.(this.#subject.id) === false) ok = false;
    return ok;
  }
}
