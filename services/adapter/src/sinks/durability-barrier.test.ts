import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DurabilityBarrier } from './durability-barrier.js';

const settledState = async (p: Promise<void> | undefined): Promise<string> => {
  if (p === undefined) return 'none';
  let state = 'pending';
  p.then(
    () => (state = 'resolved'),
    (e: Error) => (state = `rejected: ${(e as { code?: string }).code}`),
  );
  await new Promise((r) => setImmediate(r));
  return state;
};

test('given nothing written, when waiting, then there is nothing to wait for', () => {
  const b = new DurabilityBarrier();
  assert.equal(b.wait('a'), undefined);
});

test('given events written, when waiting, then it resolves only once every event written before the wait settled', async () => {
  const b = new DurabilityBarrier();
  b.wrote();
  b.wrote();
  const w = b.wait('a');
  b.wrote(); // after the wait: not waited for
  assert.equal(await settledState(w), 'pending');
  b.settle(1);
  assert.equal(await settledState(w), 'pending');
  b.settle(2);
  assert.equal(await settledState(w), 'resolved');
  assert.equal(b.waiting, 0);
});

test("given an association's event failed, then its waits reject, another association's resolve", async () => {
  const b = new DurabilityBarrier();
  b.wrote();
  b.wrote();
  const a = b.wait('a');
  const c = b.wait('c');
  b.settle(2, [{ key: 'a', err: Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }) }]);
  assert.equal(await settledState(a), 'rejected: DT_ERR_AUDIT_NOT_DURABLE');
  assert.equal(await settledState(c), 'resolved');
  // Later waits of the failed association reject at once, even with nothing pending.
  assert.equal(await settledState(b.wait('a')), 'rejected: DT_ERR_AUDIT_NOT_DURABLE');
  assert.equal(b.wait('c'), undefined);
});
