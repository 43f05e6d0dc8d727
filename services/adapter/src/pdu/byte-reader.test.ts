import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteReader } from './byte-reader.js';
import { PduError } from './pdu-error.js';

const title = (s: string) => Buffer.from(s.padEnd(16, ' '), 'latin1');

test('issue 16: an AE title with a control character is an invalid value naming the field and offset', () => {
  const r = new ByteReader(Buffer.concat([Buffer.alloc(4), title('EVIL\0AE')]), 6);
  r.skip(4, 'before');
  assert.throws(
    () => r.aeTitle('calling-ae-title'),
    (e: unknown) =>
      e instanceof PduError &&
      e.code === 'DT_ERR_PDU_INVALID_VALUE' &&
      e.field === 'calling-ae-title' &&
      e.offset === 6 + 4 + 4 &&
      e.abort.reason === 6 &&
      /0x00 at position 4/.test(e.message),
  );
});

test('AE titles: padding NULs and spaces trimmed, backslash refused', () => {
  assert.equal(new ByteReader(Buffer.from('  STORESCU\0\0\0\0\0\0', 'latin1')).aeTitle('t'), 'STORESCU');
  assert.throws(() => new ByteReader(title('A\\B')).aeTitle('t'), /backslash/);
});

test('UIDs in items: a NUL before the end is refused, trailing NUL padding is not', () => {
  assert.equal(new ByteReader(Buffer.from('1.2.3\0', 'latin1')).trimmedString(6, 'uid'), '1.2.3');
  assert.throws(() => new ByteReader(Buffer.from('1.2\0.3', 'latin1')).trimmedString(6, 'uid'), PduError);
});
