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

export function formatMicros(us: bigint): string {
  const ms = Number(us / 1000n);
  const iso = new Date(ms).toISOString(); // 2026-11-25T11:09:59.123Z
  const micro = (us % 1_000_000n).toString().padStart(6, '0');
  return `${iso.slice(0, 19)}.${micro}Z`;
}

export function utcTimestamp(): string {
  return formatMicros(nowMicros());
}
