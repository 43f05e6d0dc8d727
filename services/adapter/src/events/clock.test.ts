import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMicros, nowMicros, utcTimestamp } from './clock.js';

test('formatMicros: RFC 3339 UTC with microseconds, across second boundaries', () => {
  const base = 1_795_000_000_000_000n; // µs
  for (const us of [base + 123_456n, base + 999_999n, base + 1_000_000n, base + 1_000_001n, base - 1n]) {
    const ms = Number(us / 1000n);
    const expected = `${new Date(ms).toISOString().slice(0, 19)}.${String(us % 1_000_000n).padStart(6, '0')}Z`;
    assert.equal(formatMicros(us), expected);
  }
});

test('utcTimestamp: never goes backwards', () => {
  let prev = utcTimestamp();
  for (let i = 0; i < 10_000; i++) {
    const t = utcTimestamp();
    assert.ok(t >= prev, `${t} >= ${prev}`);
    prev = t;
  }
  assert.ok(nowMicros() > 0n);
});
