// @dicomtrail/schemas: the event contract. One TypeBox definition gives the TS types, the compiled
// validators and the committed JSON Schema file.

export { Association, Negotiation, SocketAddress } from './association.js';
export { Node, Parent, Trace } from './envelope.js';
export {
  type DicomtrailEvent,
  DicomtrailEventSchema,
  EVENT_SCHEMAS,
  type EventOf,
  PARAMS_CATALOG,
  type ParamsOf,
} from './event.js';
export {
  EVENT_TYPE_TABLE,
  EVENT_TYPES,
  type EventKind,
  type EventOrigin,
  type EventScope,
  type EventType,
  eventKind,
  eventOrigin,
  eventScope,
  isEventType,
  type KindOf,
  type ScopeOf,
} from './event-types.js';
export { eventJsonSchema, eventJsonSchemaText, JSON_SCHEMA_FILE, JSON_SCHEMA_ID } from './json-schema.js';
export {
  type DimseService,
  OPERATION_SERVICE,
  type OperationEventType,
  operationServiceOf,
} from './operation-service.js';
export { Cause, RejectCause } from './params/acse.js';
export { AuditLogUsedParams } from './params/audit-log-used.js';
export { ChainAnchor, ChainAnchoredParams } from './params/chain-anchor.js';
export { BulkData, DicomJsonDataset, type DicomJsonElement } from './params/dataset.js';
export { StatusCategory, statusCategory } from './params/dimse-status.js';
export { UserIdentity } from './params/negotiation.js';
export { TlsCertificate, TlsFacts, TlsRefusalCause, TlsRefusedParams } from './params/tls.js';
export { associationSpanId, associationTraceId, operationSpanId } from './trace-ids.js';
export { uuidv7, uuidv7Time } from './uuid7.js';
export {
  assertEvent,
  compileValidators,
  type EventErrorCode,
  type EventIssue,
  EventValidationError,
  isEvent,
  type ParseResult,
  parseEvent,
  validatorFor,
} from './validate.js';
export {
  isSupportedSchema,
  SCHEMA_ID,
  SCHEMA_MAJOR,
  SUPPORTED_SCHEMA_MAJORS,
  schemaMajor,
} from './version.js';
