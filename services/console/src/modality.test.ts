import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modalityOf } from './modality.js';

test('storage SOP classes give their modality; others and unknown UIDs give none', () => {
  assert.equal(modalityOf('1.2.840.10008.5.1.4.1.1.2'), 'CT');
  assert.equal(modalityOf('1.2.840.10008.5.1.4.1.1.2.1'), 'CT');
  assert.equal(modalityOf('1.2.840.10008.5.1.4.1.1.4'), 'MR');
  assert.equal(modalityOf('1.2.840.10008.5.1.4.1.1.7'), 'OT');
  assert.equal(modalityOf('1.2.840.10008.5.1.4.1.2.2.2'), undefined);
  assert.equal(modalityOf('1.2.3.4'), undefined);
  assert.equal(modalityOf(null), undefined);
});
