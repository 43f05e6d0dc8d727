import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deadLetterRow, hasEncodedNul, spellOutControls } from './dead-letter-row.js';

const json = (x: unknown) => Buffer.from(JSON.stringify(x));

test('hasEncodedNul: the escape of U+0000, not the text \\u0000', () => {
  assert.equal(hasEncodedNul(json({ a: 'x\u0000y' })), true);
  assert.equal(hasEncodedNul(json({ a: '\\\u0000' })), true, 'a backslash, then NUL');
  assert.equal(hasEncodedNul(json({ a: '\\u0000' })), false, 'a backslash, then u0000');
  assert.equal(hasEncodedNul(json({ a: '\\\\u0000' })), false, 'two backslashes, then u0000');
  assert.equal(hasEncodedNul(json({ a: 'plain' })), false);
});

test('spellOutControls: C0 and DEL as <U+XXXX>, everything else as it was', () => {
  assert.equal(spellOutControls('EVIL\u0000AE\u001b\u007fé'), 'EVIL<U+0000>AE<U+001B><U+007F>é');
});

test('deadLetterRow: what can be read of the envelope, the record as text, its hash and size', () => {
  const value = json({
    id: '01a212f3-2305-715c-841f-113b1f842a91',
    type: 'EVT_REQUESTED',
    seq: 3,
    timestamp: '2026-11-25T13:44:13.828677Z',
    association: {
      id: 'a28a2319-f168-4bfe-8a54-665d6344fbee',
      calling_ae_title: 'A\u0000B',
      called_ae_title: 7,
    },
  });
  const row = deadLetterRow(
    { topic: 't', partition: 1, offset: '42', key: null, value, headers: {}, timestamp: 0 },
    'invalid_event: why',
  );
  assert.equal(row.event_id, '01a212f3-2305-715c-841f-113b1f842a91');
  assert.equal(row.association_id, 'a28a2319-f168-4bfe-8a54-665d6344fbee');
  assert.equal(row.seq, 3);
  assert.equal(row.event_type, 'EVT_REQUESTED');
  assert.equal(row.calling_ae_title, 'A<U+0000>B');
  assert.equal(row.called_ae_title, null, 'not a string: not read');
  assert.equal(row.value_text, value.toString(), 'JSON text keeps its escapes');
  assert.equal(row.value_bytes, value.length);
  assert.match(row.value_sha256, /^\\x[0-9a-f]{64}$/);
  const garbage = deadLetterRow(
    {
      topic: 't',
      partition: 0,
      offset: '1',
      key: null,
      value: Buffer.from('{not json\u0000'),
      headers: {},
      timestamp: 0,
    },
    'not_json: x',
  );
  assert.equal(garbage.association_id, null);
  assert.equal(garbage.value_text, '{not json<U+0000>');
});
