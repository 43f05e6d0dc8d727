/** A-ABORT source and reason (PS3.8 Table 9-26) with names. */
const SOURCE_NAMES: Record<number, string> = {
  0: 'service-user',
  1: 'reserved',
  2: 'service-provider',
};
const PROVIDER_REASONS: Record<number, string> = {
  0: 'reason-not-specified',
  1: 'unrecognized-pdu',
  2: 'unexpected-pdu',
  4: 'unrecognized-pdu-parameter',
  5: 'unexpected-pdu-parameter',
  6: 'invalid-pdu-parameter-value',
};

export function describeAbort(
  source: number,
  reason: number,
): {
  source: number;
  reason: number;
  source_name: string;
  reason_name: string;
} {
  return {
    source,
    reason,
    source_name: SOURCE_NAMES[source] ?? `unknown-${source}`,
    reason_name: source === 2 ? (PROVIDER_REASONS[reason] ?? `reserved-${reason}`) : 'not-significant',
  };
}
