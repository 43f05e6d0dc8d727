/** PduFramer behaviour beyond the per-vector split tests (PS3.8 §9.3.1 header, STYLE §1.1). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePdu } from './encode.js';
import { PduError } from './pdu-error.js';
import { PduFramer } from './pdu-framer.js';

const release = encodePdu({ type: 'A-RELEASE-RQ' });
const data = encodePdu({
  type: 'P-DATA-TF',
  pdvs: [{ contextId: 1, isCommand: false, isLast: true, data: Buffer.alloc(1000, 7) }],
});

test('several PDUs in one chunk come back in order as zero-copy views', () => {
  const chunk = Buffer.concat([release, data, release]);
  const got = new PduFramer({ maxPduLength: 4096 }).push(chunk);
  assert.deepEqual(
    got.map((p) => p.type),
    [5, 4, 5],
  );
  assert.ok(got[1]!.bytes.equals(data));
  assert.equal(got[1]!.bytes.buffer, chunk.buffer);
  assert.equal(got[1]!.length, data.length - 6);
});

test('a PDU across many chunks is assembled once; the rest stays buffered', () => {
  const framer = new PduFramer({ maxPduLength: 4096 });
  const stream = Buffer.concat([data, release.subarray(0, 3)]);
  const got = [];
  for (let i = 0; i < stream.length; i += 7) got.push(...framer.push(stream.subarray(i, i + 7)));
  assert.equal(got.length, 1);
  assert.ok(got[0]!.bytes.equals(data));
  assert.equal(framer.bufferedLength, 3);
  assert.ok(framer.push(release.subarray(3))[0]!.bytes.equals(release));
});

test('a 0xFFFFFFFF length is refused from the header, before any body arrives', () => {
  const framer = new PduFramer({ maxPduLength: 16384 });
  assert.deepEqual(framer.push(Buffer.from('04 00 ff'.replace(/ /g, ''), 'hex')), []);
  assert.throws(() => framer.push(Buffer.from('ffffff', 'hex')), { code: 'DT_ERR_PDU_TOO_LARGE' });
  assert.equal(framer.bufferedLength, 6);
});

test('an unknown type is refused on its first byte', () => {
  assert.throws(() => new PduFramer({ maxPduLength: 16 }).push(Buffer.from([0x09])), {
    code: 'DT_ERR_PDU_UNKNOWN_TYPE',
    abort: { source: 2, reason: 1 },
  });
});

test('PDUs completed before a bad header ride on the error', () => {
  const framer = new PduFramer({ maxPduLength: 4096 });
  try {
    framer.push(Buffer.concat([release, data, Buffer.from([0x42])]));
    assert.fail('no error');
  } catch (err) {
    assert.ok(err instanceof PduError);
    assert.equal(err.message, 'unrecognized PDU type 0x42 (field pdu-type at offset 0)');
    assert.deepEqual(
      err.completedPdus.map((p) => p.type),
      [5, 4],
    );
  }
});

test('maxPduLength must be a u32', () => {
  assert.throws(() => new PduFramer({ maxPduLength: -1 }), PduError);
  assert.throws(() => new PduFramer({ maxPduLength: 2 ** 32 }), PduError);
});

test('regression (getscu vector): the writer grows mid-field without losing bytes', () => {
  const many = Array.from({ length: 200 }, (_, i) => ({
    id: (2 * i + 1) % 256 || 1,
    abstractSyntax: `1.2.840.10008.5.1.4.1.1.${i}`,
    transferSyntaxes: ['1.2.840.10008.1.2.1'],
  }));
  const bytes = encodePdu({
    type: 'A-ASSOCIATE-RQ',
    protocolVersion: 1,
    calledAeTitle: 'A',
    callingAeTitle: 'B',
    applicationContextName: '1.2.840.10008.3.1.1.1',
    presentationContexts: many,
    userInformation: {
      roleSelections: [],
      sopClassExtended: [],
      sopClassCommonExtended: [],
      unknownItems: [],
    },
  });
  const got = new PduFramer({ maxPduLength: 1 << 20 }).push(bytes);
  assert.equal(got.length, 1);
  assert.ok(bytes.includes(Buffer.from('1.2.840.10008.5.1.4.1.1.199')));
});
