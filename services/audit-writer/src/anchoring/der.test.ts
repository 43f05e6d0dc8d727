import assert from 'node:assert/strict';
import { test } from 'node:test';
import { children, encode, oid, readGeneralizedTime, readIntegerHex, readOid, readTlv, TAG } from './der.js';

test('OIDs encode and decode (multi-octet arcs)', () => {
  assert.equal(oid('1.2.840.113549.1.9.16.1.4').toString('hex'), '060b2a864886f70d0109100104');
  for (const o of ['2.16.840.1.101.3.4.2.1', '1.3.6.1.5.5.7.3.8', '2.999.3']) {
    assert.equal(readOid(readTlv(oid(o)), 'oid'), o);
  }
});

test('lengths: short form, one and two length octets', () => {
  for (const n of [0, 127, 128, 255, 256, 70000]) {
    const tlv = readTlv(encode(TAG.OCTET_STRING, Buffer.alloc(n, 7)));
    assert.equal(tlv.value.length, n);
  }
});

test('malformed DER is refused with the offset', () => {
  assert.throws(() => readTlv(Buffer.from('3005020101', 'hex')), /offset 0: value of 5 octets overruns/);
  assert.throws(() => readTlv(Buffer.from('30', 'hex')), /truncated header/);
  assert.throws(() => readTlv(Buffer.from('3f0100', 'hex')), /multi-byte tags/);
  assert.throws(
    () => children(readTlv(Buffer.from('3003020501', 'hex'))),
    /offset 0: value of 5 octets overruns/,
  );
});

test('GeneralizedTime with and without a fraction', () => {
  const t = (s: string) => readGeneralizedTime(readTlv(encode(TAG.GENERALIZED_TIME, Buffer.from(s))), 't');
  assert.equal(t('20261207185023Z').toISOString(), '2026-12-07T18:50:23.000Z');
  assert.equal(t('20261207185023.25Z').toISOString(), '2026-12-07T18:50:23.250Z');
  assert.throws(() => t('20261207185023+0100'), /not a UTC GeneralizedTime/);
});

test('INTEGER magnitudes as hex keep a leading zero digit of their first octet (serials compare as numbers elsewhere)', () => {
  assert.equal(readIntegerHex(readTlv(Buffer.from('0203000a3f', 'hex')), 'serial'), '0a3f');
});
