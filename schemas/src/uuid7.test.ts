import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uuidv7, uuidv7Time } from './uuid7.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('format, version, variant and timestamp', () => {
  const ms = Date.UTC(2026, 10, 25, 11, 9, 59, 123);
  const id = uuidv7(ms + 10_000);
  assert.match(id, V7);
  assert.equal(uuidv7Time(id), ms + 10_000);
});

test('monotonic within one millisecond and when the clock steps back', () => {
  const ms = Date.UTC(2030, 0, 1);
  const ids = [uuidv7(ms), ...Array.from({ length: 10_000 }, () => uuidv7(ms)), uuidv7(ms - 5_000)];
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
  for (const id of ids) assert.match(id, V7);
  assert.equal(new Set(ids).size, ids.length);
});

test('default clock', () => {
  const before = Date.now();
  const id = uuidv7();
  assert.ok(uuidv7Time(id) >= before);
});

test('monotonic across carries out of the low bytes (300,000 ids in one millisecond)', () => {
  // 300,000 ids in one millisecond: steps of up to 2^32 carry through every low byte many times.
  const ms = Date.UTC(2031, 0, 1);
  let prev = uuidv7(ms);
  for (let i = 0; i < 300_000; i++) {
    const id = uuidv7(ms);
    assert.ok(prev < id, `${prev} < ${id}`);
    prev = id;
  }
  assert.match(prev, V7);
});
