import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deadLetterOf } from './dead-letter.js';
import { decodeRecord } from './decode-record.js';

test('decodeRecord: names why a record cannot be processed', () => {
  assert.deepEqual(decodeRecord({ value: null }), { ok: false, code: 'empty', reason: 'empty: no value' });
  const notJson = decodeRecord({ value: Buffer.from('{nope') });
  assert.equal(notJson.ok, false);
  assert.equal(!notJson.ok && notJson.code, 'not_json');
  const major = decodeRecord({
    value: Buffer.from(JSON.stringify({ schema: 'dicomtrail.event/2', type: 'X' })),
  });
  assert.equal(!major.ok && major.code, 'unknown_schema_major');
  assert.match(!major.ok ? major.reason : '', /^unknown_schema_major: \/schema: Unknown schema major 2/);
  const invalid = decodeRecord({
    value: Buffer.from(JSON.stringify({ schema: 'dicomtrail.event/1', type: 'EVT_C_ECHO' })),
  });
  assert.equal(!invalid.ok && invalid.code, 'invalid_event');
});

test('deadLetterOf: keeps key, bytes and headers, adds the reason and the source position', () => {
  const dl = deadLetterOf(
    {
      topic: 't',
      partition: 2,
      offset: '41',
      key: 'a',
      value: Buffer.from('x'),
      headers: { type: 'EVT_C_ECHO' },
      timestamp: 1,
    },
    'not_json: bad',
  );
  assert.deepEqual(dl, {
    key: 'a',
    value: Buffer.from('x'),
    headers: { type: 'EVT_C_ECHO', 'dlq-reason': 'not_json: bad', 'dlq-source': 't/2/41' },
  });
});
