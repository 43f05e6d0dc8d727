/**
 * UTC timestamps with microseconds (RFC 3339, `2026-11-25T11:09:59.123456Z`), taken from a monotonic
 * clock anchored once to the wall clock, so events of one process never go backwards.
 */
const anchorMs = Date.now();
const anchorHr = process.hrtime.bigint();

/** Microseconds since the Unix epoch, now. */
export function nowMicros(): bigint {
  return BigInt(anchorMs) * 1000n + (process.hrtime.bigint() - anchorHr) / 1000n;
}

/** The `2026-11-25T11:09:59` prefix of the last second formatted (events come thousands per second). */
let lastSecond = -1n;
let lastPrefix = '';

export function formatMicros(us: bigint): string {
  const second = us / 1_000_000n;
  if (second !== lastSecond) {
    lastSecond = second;
    lastPrefix = new Date(Number(second) * 1000).toISOString().slice(0, 19); // 2026-11-25T11:09:59
  }
  const micro = (us % 1_000_000n).toString().padStart(6, '0');
  return `${lastPrefix}.${micro}Z`;
}

export function utcTimestamp(): string {
  return formatMicros(nowMicros());
}
