import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { associationSpanId, associationTraceId, operationSpanId } from './trace-ids.js';

const ASSOC = '0193a8c2-5f10-7a3e-9c41-2b7d0e6f4a11';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('trace id: first 16 bytes of sha256("dicomtrail.trace:" + id)', () => {
  assert.equal(associationTraceId(ASSOC), sha(`dicomtrail.trace:${ASSOC}`).slice(0, 32));
  assert.equal(associationTraceId(ASSOC), '5a9814af7161c88f77dc2c50bfb5ccf2'); // known answer: consumers in other languages must agree
});

test('span ids: 8 bytes, deterministic, distinct per operation', () => {
  assert.equal(associationSpanId(ASSOC), sha(`dicomtrail.span:${ASSOC}`).slice(0, 16));
  assert.equal(operationSpanId(ASSOC, 7, 'C-STORE'), sha(`dicomtrail.span:${ASSOC}:C-STORE:7`).slice(0, 16));
  assert.equal(operationSpanId(ASSOC, 7, 'C-STORE'), operationSpanId(ASSOC, 7, 'C-STORE'));
  assert.notEqual(operationSpanId(ASSOC, 7, 'C-STORE'), operationSpanId(ASSOC, 8, 'C-STORE'));
  assert.notEqual(operationSpanId(ASSOC, 7, 'C-STORE'), operationSpanId(ASSOC, 7, 'C-FIND'));
  assert.notEqual(operationSpanId(ASSOC, 7, 'C-STORE'), associationSpanId(ASSOC));
});

test('never all zero, across many ids', () => {
  for (let i = 0; i < 2000; i++) {
    assert.doesNotMatch(associationTraceId(`a${i}`), /^0+$/);
    assert.doesNotMatch(associationSpanId(`a${i}`), /^0+$/);
  }
});
