/**
 * An event of an association before it becomes an envelope (events/envelope.ts), and the sinks it goes to
 * besides bound handlers. The association metadata is ARCHITECTURE.md's envelope `association`, snake_case,
 * never a secret.
 */
import type { DicomtrailEvent, EventType } from '@dicomtrail/schemas';

export type AssociationRole = 'acceptor' | 'requestor';

export interface Endpoint {
  address: string;
  port: number;
}

/** Everything an event of an association carries, before it becomes an envelope. */
export interface AdapterEvent {
  type: EventType;
  timestamp: string;
  seq: number;
  association: AssociationInfo;
  params: Record<string, unknown>;
  /** For C-MOVE sub-associations: the association and message they serve. */
  parent?: { association_id: string; message_id?: number };
  /** The DIMSE message id an operation event belongs to (trace ids derive from it). */
  messageId?: number;
}

export interface AssociationInfo {
  id: string;
  role: AssociationRole;
  calling_ae_title: string;
  called_ae_title: string;
  local: Endpoint;
  remote: Endpoint;
  negotiation?: Record<string, unknown>;
}

/** Where events go besides bound handlers: the JSONL file, Kafka, ... (see sinks/). */
export interface EventSink {
  /** Which event types the sink wants (cheap check before params are built). */
  wants(type: EventType): boolean;
  /**
   * True when the sink takes params with deferred values (dataset/deferred-dicom-json.ts: a C-STORE header
   * not decoded yet, which JSON.stringify decodes through its toJSON). Otherwise, as for notification handlers,
   * the association decodes them before `write`.
   */
  readonly acceptsDeferred?: boolean;
  write(event: AdapterEvent): void;
  /**
   * A sink that makes events durable (the write-ahead log, AUDIT_DURABILITY=sync): resolves once every event
   * written so far is durable, rejects when one of this association's could not be made so; undefined when
   * there is nothing to wait for.
   */
  durable?(associationId: string): Promise<void> | undefined;
  /**
   * The same sink: writes every event written so far to its log without waiting for it to be durable (it
   * survives the death of the process, not yet a power loss); false when one of this association's could not
   * be written.
   */
  logged?(associationId: string): boolean;
  /** A node-scoped envelope, already built and validated (events/node-lifecycle.ts). */
  writeNodeEvent?(event: DicomtrailEvent): void;
  close(): Promise<void>;
}
