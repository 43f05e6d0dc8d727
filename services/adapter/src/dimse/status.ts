/**
 * DIMSE status codes (0000,0900), PS3.7 Annex C (general statuses) and the service-specific
 * statuses of PS3.4 (Storage B.2.3, Query/Retrieve C.4.1.1.4 / C.4.2.1.5 / C.4.3.1.4,
 * Worklist K.4.1.1.4, N-services via PS3.7 §10.1 and Annex C).
 * Kept as data: exact codes first, then ranges (e.g. C-STORE "Cannot understand" Cxxx).
 */
export type StatusCategory = 'success' | 'pending' | 'cancel' | 'warning' | 'failure';

export interface StatusInfo {
  category: StatusCategory;
  name: string;
}

/** Exact codes, PS3.7 Annex C and PS3.4. Where PS3.4 reuses a code with a service meaning, the general name wins. */
export const STATUS_CODES: ReadonlyMap<number, StatusInfo> = new Map<number, StatusInfo>([
  [0x0000, { category: 'success', name: 'Success' }],
  [0xff00, { category: 'pending', name: 'Pending' }],
  [0xff01, { category: 'pending', name: 'Pending: optional keys not supported' }],
  [0xfe00, { category: 'cancel', name: 'Cancel' }],
  // Warnings (PS3.7 C.4, PS3.4 B.2.3, C.4.2.1.5)
  [0x0001, { category: 'warning', name: 'Requested optional attributes are not supported' }],
  [0x0107, { category: 'warning', name: 'Attribute list error' }],
  [0x0116, { category: 'warning', name: 'Attribute value out of range' }],
  [
    0xb000,
    {
      category: 'warning',
      name: 'Coercion of data elements / sub-operations complete, one or more failures',
    },
  ],
  [0xb006, { category: 'warning', name: 'Elements discarded' }],
  [0xb007, { category: 'warning', name: 'Data set does not match SOP class' }],
  // General failures (PS3.7 C.5)
  [0x0105, { category: 'failure', name: 'No such attribute' }],
  [0x0106, { category: 'failure', name: 'Invalid attribute value' }],
  [0x0110, { category: 'failure', name: 'Processing failure' }],
  [0x0111, { category: 'failure', name: 'Duplicate SOP instance' }],
  [0x0112, { category: 'failure', name: 'No such SOP instance' }],
  [0x0113, { category: 'failure', name: 'No such event type' }],
  [0x0114, { category: 'failure', name: 'No such argument' }],
  [0x0115, { category: 'failure', name: 'Invalid argument value' }],
  [0x0117, { category: 'failure', name: 'Invalid object instance' }],
  [0x0118, { category: 'failure', name: 'No such SOP class' }],
  [0x0119, { category: 'failure', name: 'Class-instance conflict' }],
  [0x0120, { category: 'failure', name: 'Missing attribute' }],
  [0x0121, { category: 'failure', name: 'Missing attribute value' }],
  [0x0122, { category: 'failure', name: 'Refused: SOP class not supported' }],
  [0x0123, { category: 'failure', name: 'No such action' }],
  [0x0124, { category: 'failure', name: 'Refused: not authorized' }],
  [0x0210, { category: 'failure', name: 'Duplicate invocation' }],
  [0x0211, { category: 'failure', name: 'Unrecognized operation' }],
  [0x0212, { category: 'failure', name: 'Mistyped argument' }],
  [0x0213, { category: 'failure', name: 'Resource limitation' }],
  // Service-specific failures (PS3.4)
  [0xa700, { category: 'failure', name: 'Refused: out of resources' }],
  [0xa701, { category: 'failure', name: 'Refused: out of resources, unable to calculate number of matches' }],
  [0xa702, { category: 'failure', name: 'Refused: out of resources, unable to perform sub-operations' }],
  [0xa801, { category: 'failure', name: 'Refused: move destination unknown' }],
  [
    0xa900,
    {
      category: 'failure',
      name: 'Error: data set does not match SOP class / identifier does not match SOP class',
    },
  ],
  [0xc000, { category: 'failure', name: 'Error: cannot understand / unable to process' }],
]);

/** Ranges for codes PS3.4 defines as families (xx = any). Checked only when no exact code matches. */
export const STATUS_RANGES: readonly { from: number; to: number; info: StatusInfo }[] = [
  { from: 0xa700, to: 0xa7ff, info: { category: 'failure', name: 'Refused: out of resources' } },
  {
    from: 0xa900,
    to: 0xa9ff,
    info: { category: 'failure', name: 'Error: data set does not match SOP class' },
  },
  {
    from: 0xc000,
    to: 0xcfff,
    info: { category: 'failure', name: 'Error: cannot understand / unable to process' },
  },
  { from: 0xb000, to: 0xbfff, info: { category: 'warning', name: 'Warning' } },
];

/** Category and name of a status; unknown codes are failures (PS3.7 C.1: anything not success/warning/pending/cancel). */
export function statusInfo(code: number): StatusInfo {
  const exact = STATUS_CODES.get(code);
  if (exact) return exact;
  const range = STATUS_RANGES.find((r) => code >= r.from && code <= r.to);
  if (range) return range.info;
  return {
    category: 'failure',
    name: `Unknown status 0x${code.toString(16).padStart(4, '0').toUpperCase()}`,
  };
}

export function statusCategory(code: number): StatusCategory {
  return statusInfo(code).category;
}

/** Named constants for the statuses dicomtrail itself sends. */
export const Status = {
  Success: 0x0000,
  Pending: 0xff00,
  PendingOptionalKeysNotSupported: 0xff01,
  Cancel: 0xfe00,
  ProcessingFailure: 0x0110,
  DuplicateSopInstance: 0x0111,
  NoSuchSopInstance: 0x0112,
  SopClassNotSupported: 0x0122,
  NotAuthorized: 0x0124,
  OutOfResources: 0xa700,
  MoveDestinationUnknown: 0xa801,
  DataSetDoesNotMatchSopClass: 0xa900,
  CannotUnderstand: 0xc000,
  CoercionOfDataElements: 0xb000,
  ElementsDiscarded: 0xb006,
  DataSetDoesNotMatchSopClassWarning: 0xb007,
} as const;
