// The event: a discriminated union over `type`, whose `params` schema is looked up in a catalog
// type -> params schema (as trigger.dev's message catalogs do).
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { associationEnvelope, nodeEnvelope } from './envelope.js';
import { EVENT_TYPES, type EventType, eventScope, type ScopeOf } from './event-types.js';
import {
  AbortedParams,
  AcsePrimitiveParams,
  DulRejectedParams,
  EmptyParams,
  RejectedParams,
  ReleasedParams,
} from './params/acse.js';
import { RetentionParams, SpoolLimitParams } from './params/audit.js';
import { AuditLogUsedParams } from './params/audit-log-used.js';
import { ChainAnchoredParams } from './params/chain-anchor.js';
import { ConnectionParams } from './params/connection.js';
import {
  CCancelParams,
  CEchoParams,
  CFindParams,
  CGetParams,
  CMoveParams,
  CStoreParams,
} from './params/dimse-c.js';
import { DimseMessageParams } from './params/dimse-command.js';
import {
  NActionParams,
  NCreateParams,
  NDeleteParams,
  NEventReportParams,
  NGetParams,
  NSetParams,
} from './params/dimse-n.js';
import { AssociationInterruptedParams } from './params/durability.js';
import { FsmTransitionParams } from './params/fsm.js';
import { AsyncOpsParams, SopCommonParams, SopExtendedParams, UserIdParams } from './params/negotiation.js';
import { NodeStartedParams, NodeStoppedParams } from './params/node-lifecycle.js';
import { DataParams, InvalidPduParams, PduParams } from './params/pdu.js';
import { TlsRefusedParams } from './params/tls.js';

export const PARAMS_CATALOG = {
  EVT_ABORTED: AbortedParams,
  EVT_ACCEPTED: EmptyParams,
  EVT_ACSE_RECV: AcsePrimitiveParams,
  EVT_ACSE_SENT: AcsePrimitiveParams,
  EVT_CONN_CLOSE: ConnectionParams,
  EVT_CONN_OPEN: ConnectionParams,
  EVT_DATA_RECV: DataParams,
  EVT_DATA_SENT: DataParams,
  EVT_DIMSE_RECV: DimseMessageParams,
  EVT_DIMSE_SENT: DimseMessageParams,
  EVT_ESTABLISHED: EmptyParams,
  EVT_FSM_TRANSITION: FsmTransitionParams,
  EVT_PDU_RECV: PduParams,
  EVT_PDU_SENT: PduParams,
  EVT_REJECTED: RejectedParams,
  EVT_RELEASED: ReleasedParams,
  EVT_REQUESTED: EmptyParams,
  EVT_ASYNC_OPS: AsyncOpsParams,
  EVT_C_ECHO: CEchoParams,
  EVT_C_FIND: CFindParams,
  EVT_C_GET: CGetParams,
  EVT_C_MOVE: CMoveParams,
  EVT_C_STORE: CStoreParams,
  EVT_N_ACTION: NActionParams,
  EVT_N_CREATE: NCreateParams,
  EVT_N_DELETE: NDeleteParams,
  EVT_N_EVENT_REPORT: NEventReportParams,
  EVT_N_GET: NGetParams,
  EVT_N_SET: NSetParams,
  EVT_SOP_COMMON: SopCommonParams,
  EVT_SOP_EXTENDED: SopExtendedParams,
  EVT_USER_ID: UserIdParams,
  EVT_C_CANCEL: CCancelParams,
  EVT_DUL_REJECTED: DulRejectedParams,
  EVT_INVALID_PDU: InvalidPduParams,
  EVT_SPOOL_LIMIT: SpoolLimitParams,
  EVT_RETENTION: RetentionParams,
  EVT_ASSOCIATION_INTERRUPTED: AssociationInterruptedParams,
  EVT_AUDIT_LOG_USED: AuditLogUsedParams,
  EVT_NODE_STARTED: NodeStartedParams,
  EVT_NODE_STOPPED: NodeStoppedParams,
  EVT_TLS_REFUSED: TlsRefusedParams,
  EVT_CHAIN_ANCHORED: ChainAnchoredParams,
} as const satisfies Record<EventType, TSchema>;

export type ParamsCatalog = typeof PARAMS_CATALOG;
export type ParamsOf<T extends EventType> = Static<ParamsCatalog[T]>;

type AssociationEventSchema<T extends EventType> = ReturnType<
  typeof associationEnvelope<T, ParamsCatalog[T]>
>;
type NodeEventSchema<T extends EventType> = ReturnType<typeof nodeEnvelope<T, ParamsCatalog[T]>>;
export type EventSchemas = {
  [T in EventType]: ScopeOf<T> extends 'node' ? NodeEventSchema<T> : AssociationEventSchema<T>;
};

function buildSchemas(): EventSchemas {
  const schemas: Partial<Record<EventType, TSchema>> = {};
  for (const type of EVENT_TYPES) {
    const params = PARAMS_CATALOG[type];
    schemas[type] =
      eventScope(type) === 'node' ? nodeEnvelope(type, params) : associationEnvelope(type, params);
  }
  return schemas as EventSchemas;
}

/** One closed object schema per event type. */
export const EVENT_SCHEMAS: EventSchemas = buildSchemas();

/** The union of every event, discriminated on `type`. */
export const DicomtrailEventSchema = Type.Union(
  EVENT_TYPES.map((type) => EVENT_SCHEMAS[type] as TSchema),
  { title: 'dicomtrail event', description: 'One audited DICOM network event (schema dicomtrail.event/1).' },
);

export type EventOf<T extends EventType> = Static<EventSchemas[T]>;
export type DicomtrailEvent = { [T in EventType]: EventOf<T> }[EventType];
