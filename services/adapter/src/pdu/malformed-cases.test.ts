/**
 * Runs the malformed table: each case must throw a PduError with the expected code and A-P-ABORT reason,
 * from PduFramer (header checks) or decodePdu (everything else). Every decode case whose PDU-length matches its
 * size is first checked to pass the framer untouched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePdu } from './decode.js';
import { malformedCases, validAssociateRq } from './malformed-cases.js';
import { PduError } from './pdu-error.js';
import { PduFramer } from './pdu-framer.js';

function expectPduError(fn: () => unknown, c: (typeof malformedCases)[number]): PduError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PduError, `${c.name}: ${String(err)}`);
    assert.equal(err.code, c.code, c.name);
    assert.deepEqual(err.abort, { source: 2, reason: c.reason }, c.name);
    assert.equal(typeof err.field, 'string');
    assert.ok(Number.isInteger(err.offset) && err.offset >= 0 && err.offset <= c.bytes.length, c.name);
    return err;
  }
  assert.fail(`${c.name}: no error`);
}

test('the table has at least 20 cases with distinct names', () => {
  assert.ok(malformedCases.length >= 20);
  assert.equal(new Set(malformedCases.map((c) => c.name)).size, malformedCases.length);
});

test('the builders make a valid A-ASSOCIATE-RQ (so the cases break one thing each)', () => {
  assert.equal(decodePdu(validAssociateRq).type, 'A-ASSOCIATE-RQ');
});

for (const c of malformedCases) {
  test(`malformed: ${c.name} → ${c.code}, reason ${c.reason}`, () => {
    if (c.via === 'framer') {
      const framer = new PduFramer({ maxPduLength: c.maxPduLength ?? 1 << 20 });
      expectPduError(() => framer.push(c.bytes), c);
      // the framer stays failed
      expectPduError(() => framer.push(Buffer.alloc(0)), c);
    } else {
      const whole = c.bytes.length >= 6 && c.bytes.readUInt32BE(2) + 6 === c.bytes.length;
      if (whole) {
        // a well-framed PDU passes the framer untouched and fails in the decoder
        const framed = new PduFramer({ maxPduLength: 1 << 20 }).push(c.bytes);
        assert.equal(framed.length, 1, c.name);
        assert.ok(framed[0]!.bytes.equals(c.bytes), c.name);
      }
      expectPduError(() => decodePdu(c.bytes), c);
    }
  });
}
