/**
 * UTC timestamps with microseconds (RFC 3339, `2026-11-25T11:09:59.123456Z`), taken from a monotonic
 * clock anchored once to the wall clock, so events of one process never go backwards.
 *
 * Microseconds since the epoch are a double here (exact: they stay below 2^53 until the year 2255): one
 * timestamp per event, so no BigInt arithmetic (each step a heap allocation) on the way.
 */
const anchorMicros = Date.now() * 1000;
const anchorPerfMs = performance.now();

function micros(): number {
  return anchorMicros + Math.floor((performance.now() - anchorPerfMs) * 1000);
}

/** Microseconds since the Unix epoch, now. */
export function nowMicros(): bigint {
  return BigInt(micros());
}

/** The `2026-11-25T11:09:59` prefix of the last second formatted (events come thousands per second). */
let lastSecond = -1;
let lastPrefix = '';

function format(us: number): string {
  const second = Math.floor(us / 1_000_000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastPrefix = new Date(second * 1000).toISOString().slice(0, 19); // 2026-11-25T11:09:59
  }
  const micro = String(us - second * 1_000_000).padStart(6, '0');
  return `${lastPrefix}.${micro}Z`;
}

export function formatMicros(us: bigint): string {
  return format(Number(us));
}

export function utcTimestamp(): string {
  return format(micros());
}
