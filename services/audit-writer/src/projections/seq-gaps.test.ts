import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanSeqs } from './seq-gaps.js';

const A = '0193a8c2-5f10-7a3e-9c41-2b7d0e6f4a11';

test('given nothing stored, when 0..3 arrive, then no finding', () => {
  assert.deepEqual(scanSeqs(A, -1, [0, 1, 2, 3]), { findings: [], late: false });
});

test('given 0..4 stored, when 5..7 arrive in a later batch, then no finding', () => {
  assert.deepEqual(scanSeqs(A, 4, [5, 6, 7]), { findings: [], late: false });
});

test('given 0..4 stored, when 8 arrives, then 5..7 are missing', () => {
  assert.deepEqual(scanSeqs(A, 4, [8, 9]).findings, [{ association_id: A, expected_seq: 5, got_seq: 8 }]);
});

test('given nothing stored, when the first seq is 3, then 0..2 are missing', () => {
  assert.deepEqual(scanSeqs(A, -1, [3]).findings, [{ association_id: A, expected_seq: 0, got_seq: 3 }]);
});

test('given 0..9 stored with a hole, when 6 arrives late, then it is late (may resolve a finding)', () => {
  assert.deepEqual(scanSeqs(A, 9, [6]), { findings: [], late: true });
});

test('two holes in one batch are two findings', () => {
  assert.equal(scanSeqs(A, -1, [0, 2, 5]).findings.length, 2);
});
