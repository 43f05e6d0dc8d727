// Every event type, its kind, where it comes from, and what it is scoped to.
// pynetdicom: the 17 notification and 15 intervention events of pynetdicom 3.x `events.py`
// (shared/spec/pynetdicom-events.md §2, §3). dicomtrail: ours, where pynetdicom is silent (§9).
// scope 'association': the envelope carries `association` and `seq` counts per association.
// scope 'node': the event is about the node or the trail itself; no `association`, `seq` counts per node.

export type EventKind = 'notification' | 'intervention';
export type EventOrigin = 'pynetdicom' | 'dicomtrail';
export type EventScope = 'association' | 'node';

export const EVENT_TYPE_TABLE = [
  // pynetdicom notifications (17)
  ['EVT_ABORTED', 'notification', 'pynetdicom', 'association'],
  ['EVT_ACCEPTED', 'notification', 'pynetdicom', 'association'],
  ['EVT_ACSE_RECV', 'notification', 'pynetdicom', 'association'],
  ['EVT_ACSE_SENT', 'notification', 'pynetdicom', 'association'],
  ['EVT_CONN_CLOSE', 'notification', 'pynetdicom', 'association'],
  ['EVT_CONN_OPEN', 'notification', 'pynetdicom', 'association'],
  ['EVT_DATA_RECV', 'notification', 'pynetdicom', 'association'],
  ['EVT_DATA_SENT', 'notification', 'pynetdicom', 'association'],
  ['EVT_DIMSE_RECV', 'notification', 'pynetdicom', 'association'],
  ['EVT_DIMSE_SENT', 'notification', 'pynetdicom', 'association'],
  ['EVT_ESTABLISHED', 'notification', 'pynetdicom', 'association'],
  ['EVT_FSM_TRANSITION', 'notification', 'pynetdicom', 'association'],
  ['EVT_PDU_RECV', 'notification', 'pynetdicom', 'association'],
  ['EVT_PDU_SENT', 'notification', 'pynetdicom', 'association'],
  ['EVT_REJECTED', 'notification', 'pynetdicom', 'association'],
  ['EVT_RELEASED', 'notification', 'pynetdicom', 'association'],
  ['EVT_REQUESTED', 'notification', 'pynetdicom', 'association'],
  // pynetdicom interventions (15)
  ['EVT_ASYNC_OPS', 'intervention', 'pynetdicom', 'association'],
  ['EVT_C_ECHO', 'intervention', 'pynetdicom', 'association'],
  ['EVT_C_FIND', 'intervention', 'pynetdicom', 'association'],
  ['EVT_C_GET', 'intervention', 'pynetdicom', 'association'],
  ['EVT_C_MOVE', 'intervention', 'pynetdicom', 'association'],
  ['EVT_C_STORE', 'intervention', 'pynetdicom', 'association'],
  ['EVT_N_ACTION', 'intervention', 'pynetdicom', 'association'],
  ['EVT_N_CREATE', 'intervention', 'pynetdicom', 'association'],
  ['EVT_N_DELETE', 'intervention', 'pynetdicom', 'association'],
  ['EVT_N_EVENT_REPORT', 'intervention', 'pynetdicom', 'association'],
  ['EVT_N_GET', 'intervention', 'pynetdicom', 'association'],
  ['EVT_N_SET', 'intervention', 'pynetdicom', 'association'],
  ['EVT_SOP_COMMON', 'intervention', 'pynetdicom', 'association'],
  ['EVT_SOP_EXTENDED', 'intervention', 'pynetdicom', 'association'],
  ['EVT_USER_ID', 'intervention', 'pynetdicom', 'association'],
  // dicomtrail (§9.2, §9.3, ARCHITECTURE "Delivery guarantees", Postgres retention)
  ['EVT_C_CANCEL', 'notification', 'dicomtrail', 'association'], // §9.3: names the cancelled message id
  ['EVT_DUL_REJECTED', 'notification', 'dicomtrail', 'association'], // §9.2: AE-6 protocol-version reject
  ['EVT_INVALID_PDU', 'notification', 'dicomtrail', 'association'], // §9.2: malformed/unexpected PDU
  ['EVT_SPOOL_LIMIT', 'notification', 'dicomtrail', 'association'], // spool full: association refused
  ['EVT_RETENTION', 'notification', 'dicomtrail', 'node'], // partitions dropped by the retention job
  ['EVT_ASSOCIATION_INTERRUPTED', 'notification', 'dicomtrail', 'association'], // cut off by a crash of the node
  ['EVT_AUDIT_LOG_USED', 'notification', 'dicomtrail', 'node'], // a read of the trail (DICOM 110101), by the console
  ['EVT_NODE_STARTED', 'notification', 'dicomtrail', 'node'], // the adapter listens (PS3.15 A.5.3.1)
  ['EVT_NODE_STOPPED', 'notification', 'dicomtrail', 'node'], // the adapter stopped gracefully
  ['EVT_TLS_REFUSED', 'notification', 'dicomtrail', 'node'], // a connection closed at the TLS layer (PS3.15 B)
  ['EVT_CHAIN_ANCHORED', 'notification', 'dicomtrail', 'node'], // the chain heads signed outside the database
] as const satisfies readonly (readonly [string, EventKind, EventOrigin, EventScope])[];

export type EventType = (typeof EVENT_TYPE_TABLE)[number][0];
type Row<T extends EventType> = Extract<(typeof EVENT_TYPE_TABLE)[number], readonly [T, ...unknown[]]>;
export type KindOf<T extends EventType> = Row<T>[1];
export type ScopeOf<T extends EventType> = Row<T>[3];

export const EVENT_TYPES: readonly EventType[] = EVENT_TYPE_TABLE.map(([type]) => type);

const byType = new Map<string, (typeof EVENT_TYPE_TABLE)[number]>(
  EVENT_TYPE_TABLE.map((row) => [row[0], row]),
);

export function isEventType(x: unknown): x is EventType {
  return typeof x === 'string' && byType.has(x);
}

export function eventKind<T extends EventType>(type: T): KindOf<T> {
  return byType.get(type)![1] as KindOf<T>;
}

export function eventOrigin(type: EventType): EventOrigin {
  return byType.get(type)![2];
}

export function eventScope<T extends EventType>(type: T): ScopeOf<T> {
  return byType.get(type)![3] as ScopeOf<T>;
}
