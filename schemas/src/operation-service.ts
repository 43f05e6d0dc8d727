// The DIMSE service an intervention event reports (EVT_C_STORE → 'C-STORE'): the operation's name in span
// names, in operation span ids (trace-ids.ts) and in the audit trail's operations projection.

export const OPERATION_SERVICE = {
  EVT_C_ECHO: 'C-ECHO',
  EVT_C_STORE: 'C-STORE',
  EVT_C_FIND: 'C-FIND',
  EVT_C_GET: 'C-GET',
  EVT_C_MOVE: 'C-MOVE',
  EVT_C_CANCEL: 'C-CANCEL',
  EVT_N_ACTION: 'N-ACTION',
  EVT_N_CREATE: 'N-CREATE',
  EVT_N_DELETE: 'N-DELETE',
  EVT_N_EVENT_REPORT: 'N-EVENT-REPORT',
  EVT_N_GET: 'N-GET',
  EVT_N_SET: 'N-SET',
} as const;

export type OperationEventType = keyof typeof OPERATION_SERVICE;
export type DimseService = (typeof OPERATION_SERVICE)[OperationEventType];

/** The DIMSE service of an operation event type, or undefined for every other type. */
export function operationServiceOf(type: string): DimseService | undefined {
  return Object.hasOwn(OPERATION_SERVICE, type) ? OPERATION_SERVICE[type as OperationEventType] : undefined;
}
