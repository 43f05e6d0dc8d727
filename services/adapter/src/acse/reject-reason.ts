/**
 * A-ASSOCIATE-RJ result / source / reason (PS3.8 Table 9-21) as data, with names for events and SQL.
 */
export const RejectResult = { permanent: 1, transient: 2 } as const;
export const RejectSource = {
  serviceUser: 1,
  serviceProviderAcse: 2,
  serviceProviderPresentation: 3,
} as const;

export interface RejectCause {
  result: 1 | 2;
  source: number;
  reason: number;
}

const RESULT_NAMES: Record<number, string> = { 1: 'rejected-permanent', 2: 'rejected-transient' };
const SOURCE_NAMES: Record<number, string> = {
  1: 'service-user',
  2: 'service-provider-acse',
  3: 'service-provider-presentation',
};
const REASON_NAMES: Record<number, Record<number, string>> = {
  1: {
    1: 'no-reason-given',
    2: 'application-context-name-not-supported',
    3: 'calling-ae-title-not-recognized',
    7: 'called-ae-title-not-recognized',
  },
  2: { 1: 'no-reason-given', 2: 'protocol-version-not-supported' },
  3: { 1: 'temporary-congestion', 2: 'local-limit-exceeded' },
};

export function describeReject(c: RejectCause): RejectCause & {
  result_name: string;
  source_name: string;
  reason_name: string;
} {
  return {
    result: c.result,
    source: c.source,
    reason: c.reason,
    result_name: RESULT_NAMES[c.result] ?? `unknown-${c.result}`,
    source_name: SOURCE_NAMES[c.source] ?? `unknown-${c.source}`,
    reason_name: REASON_NAMES[c.source]?.[c.reason] ?? `reserved-${c.reason}`,
  };
}

export const Rejects = {
  applicationContext: { result: 1, source: 1, reason: 2 },
  callingAeTitle: { result: 1, source: 1, reason: 3 },
  calledAeTitle: { result: 1, source: 1, reason: 7 },
  noReason: { result: 1, source: 1, reason: 1 },
  protocolVersion: { result: 1, source: 2, reason: 2 },
  localLimit: { result: 2, source: 3, reason: 2 },
  congestion: { result: 2, source: 3, reason: 1 },
} as const satisfies Record<string, RejectCause>;
