/**
 * PS3.8 §7 and §9.1: the DICOM Upper Layer service primitives exchanged between the DUL and its
 * user (ACSE/DIMSE). Only names and types live here; parameters belong to acse/ and dimse/.
 */

/** The upper-layer services (PS3.8 §7.1 … §7.6). */
export const SERVICES = ['A-ASSOCIATE', 'A-RELEASE', 'A-ABORT', 'A-P-ABORT', 'P-DATA'] as const;
export type UpperLayerService = (typeof SERVICES)[number];

/** The four OSI primitive types (PS3.8 §7: request, indication, response, confirmation). */
export type PrimitiveType = 'request' | 'indication' | 'response' | 'confirm';

/** Primitives the local user issues to the DUL; each maps to one FSM event (fsm-events.ts). */
export type RequestPrimitive =
  | 'A-ASSOCIATE-request'
  | 'A-ASSOCIATE-response-accept'
  | 'A-ASSOCIATE-response-reject'
  | 'P-DATA-request'
  | 'A-RELEASE-request'
  | 'A-RELEASE-response'
  | 'A-ABORT-request';

/** Primitives the DUL issues to the local user (the `indicate` effect of actions.ts). */
export type IndicationPrimitive =
  | 'A-ASSOCIATE-indication'
  | 'A-ASSOCIATE-confirm-accept'
  | 'A-ASSOCIATE-confirm-reject'
  | 'P-DATA-indication'
  | 'A-RELEASE-indication'
  | 'A-RELEASE-confirm'
  | 'A-ABORT-indication'
  | 'A-P-ABORT-indication';

/** Which FSM event a local request/response primitive raises (PS3.8 Table 9-10, event rows). */
export const REQUEST_PRIMITIVE_EVENT = {
  'A-ASSOCIATE-request': 'Evt1',
  'A-ASSOCIATE-response-accept': 'Evt7',
  'A-ASSOCIATE-response-reject': 'Evt8',
  'P-DATA-request': 'Evt9',
  'A-RELEASE-request': 'Evt11',
  'A-RELEASE-response': 'Evt14',
  'A-ABORT-request': 'Evt15',
} as const satisfies Readonly<Record<RequestPrimitive, string>>;
