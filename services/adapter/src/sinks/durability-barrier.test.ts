import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DurabilityBarrier } from './durability-barrier.js';

test('given nothing written, when an answer asks, then there is nothing to wait for', () => {
  const b = new DurabilityBarrier();
  assert.deepEqual(b.need('a', 0), { kind: 'durable' });
});

test("given events written, then an answer needs a sync up to its own association's last one, not later ones", () => {
  const b = new DurabilityBarrier();
  b.wrote('a', 1);
  b.wrote('c', 2);
  b.wrote('a', 3);
  b.wrote('c', 4); // another association's, after a's last: a does not wait for it
  assert.deepEqual(b.need('a', 0), { kind: 'sync', seq: 3 });
  assert.deepEqual(b.need('a', 2), { kind: 'sync', seq: 3 });
  assert.deepEqual(b.need('a', 3), { kind: 'durable' });
  assert.deepEqual(b.need('c', 3), { kind: 'sync', seq: 4 });
});

test("given an association's event failed, then its answers fail, another association's do not", () => {
  const b = new DurabilityBarrier();
  b.wrote('a', 1);
  b.wrote('c', 2);
  b.fail('a', Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }));
  const a = b.need('a', 2);
  assert.equal(a.kind, 'failed');
  assert.equal(a.kind === 'failed' && a.error.code, 'DT_ERR_AUDIT_NOT_DURABLE');
  assert.deepEqual(b.need('c', 2), { kind: 'durable' });
});

test('given a sync failed, then every association with an event after the last good sync fails', () => {
  const b = new DurabilityBarrier();
  b.wrote('a', 1);
  b.wrote('c', 2);
  b.wrote('d', 3);
  b.failAfter(1, new Error('EIO'));
  assert.deepEqual(b.need('a', 1), { kind: 'durable' });
  assert.equal(b.need('c', 1).kind, 'failed');
  assert.equal(b.need('d', 1).kind, 'failed');
});

test('given many associations, when pruned, then only those with events not yet durable are kept', () => {
  const b = new DurabilityBarrier();
  for (let i = 1; i <= 5000; i++) b.wrote(`a${i}`, i);
  b.prune(4990);
  assert.equal(b.tracked, 10);
  assert.deepEqual(b.need('a4995', 4990), { kind: 'sync', seq: 4995 });
  assert.deepEqual(b.need('a1', 4990), { kind: 'durable' });
});
