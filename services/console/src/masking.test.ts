import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskFor, pseudonymizer } from './masking.js';

test('engineers get a stable pseudonym that hides the value; auditors get the value', () => {
  const masked = pseudonymizer(Buffer.alloc(32, 7));
  const engineer = maskFor('engineer', masked);
  const a = engineer('PAT0042', 'patient');
  assert.match(a, /^\[masked patient [0-9a-f]{8}\]$/);
  assert.equal(a.includes('PAT0042'), false);
  assert.equal(engineer('PAT0042', 'patient'), a);
  assert.notEqual(engineer('PAT0043', 'patient'), a);
  assert.notEqual(engineer('PAT0042', 'accession'), a.replace('patient', 'accession'));
  assert.equal(engineer(null, 'name'), '');
  assert.equal(maskFor('auditor', masked)('DOE^JANE', 'name'), 'DOE^JANE');
});
