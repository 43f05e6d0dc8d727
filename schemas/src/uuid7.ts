// UUIDv7 (RFC 9562 §5.7): 48-bit Unix ms timestamp, version 7, 12-bit rand_a, variant 10, 62-bit
// rand_b. Monotonic within this process (RFC 9562 §6.2 method 3): within one millisecond, or if
// the clock steps back, the 74 random bits of the previous id are incremented by a random step.
import { randomBytes } from 'node:crypto';

const RANDOM_BITS = 74n;
const RANDOM_MAX = (1n << RANDOM_BITS) - 1n;

let lastMs = -1;
let lastRandom = 0n;

function random74(): bigint {
  return BigInt(`0x${randomBytes(10).toString('hex')}`) & RANDOM_MAX;
}

export function uuidv7(nowMs: number = Date.now()): string {
  let ms = Math.max(0, Math.floor(nowMs));
  if (ms <= lastMs) {
    ms = lastMs;
    // a random step of 1..2^32 keeps ids unguessable and leaves room for ~2^42 ids per ms
    const step = BigInt(`0x${randomBytes(4).toString('hex')}`) + 1n;
    lastRandom += step;
    if (lastRandom > RANDOM_MAX) {
      ms += 1;
      lastRandom = random74() >> 1n;
    }
  } else {
    lastRandom = random74() >> 1n; // top bit clear: room to increment within the millisecond
  }
  lastMs = ms;
  return format(ms, lastRandom);
}

function format(ms: number, random: bigint): string {
  const randA = Number(random >> 62n) & 0xfff;
  const randB = random & ((1n << 62n) - 1n);
  const hex =
    ms.toString(16).padStart(12, '0').slice(-12) +
    (0x7000 | randA).toString(16) +
    ((2n << 62n) | randB).toString(16).padStart(16, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The millisecond timestamp of a UUIDv7. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}
