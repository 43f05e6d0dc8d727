import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeTimestampRequest } from './timestamp-request.js';

test('TimeStampReq: version 1, SHA-256 imprint with NULL parameters, nonce, certReq TRUE (byte-exact)', () => {
  const der = encodeTimestampRequest({
    imprint: Buffer.alloc(32, 0x11),
    nonce: Buffer.from('0102030405060708', 'hex'),
  });
  const expected = [
    '3043', // TimeStampReq SEQUENCE, 67 octets
    '020101', // version 1
    '3031', // messageImprint
    '300d',
    '0609608648016503040201',
    '0500', // sha256, NULL
    `0420${'11'.repeat(32)}`, // hashedMessage
    '02080102030405060708', // nonce
    '0101ff', // certReq TRUE
  ].join('');
  assert.equal(der.toString('hex'), expected);
});

test('TimeStampReq: a nonce with its top bit set gets a leading zero octet (a positive INTEGER)', () => {
  const der = encodeTimestampRequest({
    imprint: Buffer.alloc(32),
    nonce: Buffer.from('80000000000000ff', 'hex'),
  });
  assert.ok(der.toString('hex').includes('02090080000000000000ff'));
});

test('TimeStampReq: leading zero octets of a nonce are dropped (DER minimal INTEGER)', () => {
  const der = encodeTimestampRequest({
    imprint: Buffer.alloc(32),
    nonce: Buffer.from('00000000000000ff', 'hex'),
  });
  assert.ok(der.toString('hex').includes('020200ff0101ff'));
});
