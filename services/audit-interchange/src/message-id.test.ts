import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stableMessageId } from './message-id.js';

test('the same names give the same UUID (version 8, RFC 9562 variant); other names another', () => {
  const a = stableMessageId('8fa8d72e-eb52-4fa4-bc6d-fbd2af967c64', '110112', 1, 'PID-1');
  assert.equal(a, stableMessageId('8fa8d72e-eb52-4fa4-bc6d-fbd2af967c64', '110112', 1, 'PID-1'));
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, stableMessageId('8fa8d72e-eb52-4fa4-bc6d-fbd2af967c64', '110112', 1, 'PID-2'));
  assert.notEqual(stableMessageId('a', 'bc'), stableMessageId('ab', 'c'), 'names are separated');
});
