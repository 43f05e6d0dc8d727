/**
 * Hand-built round trips through encodePdu/decodePdu for every PDU and every item kind
 * (PS3.8 §9.3, PS3.7 Annex D.3.3), with spot checks of the bytes the standard fixes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AssociateAc } from './associate-ac.js';
import type { AssociateRq } from './associate-rq.js';
import { decodePdu } from './decode.js';
import { encodePdu } from './encode.js';
import { emptyUserInformation, type UserInformation } from './items/user-information.js';
import { encodePDataTf, type Pdv } from './p-data-tf.js';
import type { Pdu } from './pdu.js';

function roundTrip(pdu: Pdu): Buffer {
  const bytes = encodePdu(pdu);
  assert.deepStrictEqual(decodePdu(bytes), pdu);
  assert.ok(encodePdu(decodePdu(bytes)).equals(bytes));
  assert.equal(bytes.readUInt32BE(2), bytes.length - 6);
  return bytes;
}

const CT = '1.2.840.10008.5.1.4.1.1.2';
const fullUserInformation: UserInformation = {
  maxLength: 0,
  implementationClassUid: '1.2.826.0.1.3680043.9.9999',
  implementationVersionName: 'DICOMTRAIL_01',
  asyncOps: { invoked: 0, performed: 5 },
  roleSelections: [
    { sopClassUid: CT, scuRole: true, scpRole: false },
    { sopClassUid: '1.2.840.10008.5.1.4.1.1.4', scuRole: false, scpRole: true },
  ],
  sopClassExtended: [{ sopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', info: Buffer.from([1, 1, 0]) }],
  sopClassCommonExtended: [
    {
      sopClassUid: '1.2.840.10008.5.1.4.1.1.88.22',
      serviceClassUid: '1.2.840.10008.4.2',
      relatedGeneralSopClassUids: ['1.2.840.10008.5.1.4.1.1.88.11', '1.2.840.10008.5.1.4.1.1.88.33'],
    },
    { sopClassUid: CT, serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: [] },
  ],
  userIdentity: {
    type: 2,
    positiveResponseRequested: true,
    primaryField: Buffer.from('alice'),
    secondaryField: Buffer.from('secret'),
  },
  unknownItems: [{ itemType: 0x7f, data: Buffer.from([0xde, 0xad]) }],
};

const rq = (userInformation: UserInformation): AssociateRq => ({
  type: 'A-ASSOCIATE-RQ',
  protocolVersion: 1,
  calledAeTitle: 'ARCHIVE',
  callingAeTitle: 'MODALITY_01',
  applicationContextName: '1.2.840.10008.3.1.1.1',
  presentationContexts: [
    { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
    { id: 3, abstractSyntax: CT, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] },
  ],
  userInformation,
});

test('A-ASSOCIATE-RQ with every user information sub-item', () => {
  const bytes = roundTrip(rq(fullUserInformation));
  assert.equal(bytes[0], 0x01);
  assert.equal(bytes.subarray(10, 26).toString('latin1'), 'ARCHIVE         ');
  assert.equal(bytes.subarray(26, 42).toString('latin1'), 'MODALITY_01     ');
  assert.ok(bytes.subarray(42, 74).equals(Buffer.alloc(32)));
  assert.equal(bytes[74], 0x10);
});

for (const type of [1, 2, 3, 4, 5] as const) {
  test(`A-ASSOCIATE-RQ with user identity type ${type}`, () => {
    const userIdentity = {
      type,
      positiveResponseRequested: type % 2 === 1,
      primaryField: Buffer.from(['', 'bob', 'bob', 'KRB5-TICKET', '<saml:Assertion/>', 'eyJ.eyJ.sig'][type]!),
      secondaryField: type === 2 ? Buffer.from('pw') : Buffer.alloc(0),
    };
    const bytes = roundTrip(rq({ ...emptyUserInformation(), maxLength: 16384, userIdentity }));
    const at = bytes.indexOf(Buffer.from([0x58, 0x00]), 74);
    assert.equal(bytes[at + 4], type);
    assert.equal(bytes[at + 5], type % 2);
  });
}

test('A-ASSOCIATE-AC with results, an absent transfer syntax and a user identity response', () => {
  const ac: AssociateAc = {
    type: 'A-ASSOCIATE-AC',
    protocolVersion: 1,
    calledAeTitle: 'ARCHIVE',
    callingAeTitle: 'MODALITY_01',
    applicationContextName: '1.2.840.10008.3.1.1.1',
    presentationContexts: [
      { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' },
      { id: 3, result: 3 },
    ],
    userInformation: {
      ...emptyUserInformation(),
      maxLength: 32768,
      asyncOps: { invoked: 1, performed: 1 },
      roleSelections: [{ sopClassUid: CT, scuRole: false, scpRole: true }],
      sopClassExtended: [{ sopClassUid: CT, info: Buffer.alloc(0) }],
      userIdentityAc: { serverResponse: Buffer.from('token') },
    },
  };
  const bytes = roundTrip(ac);
  // the rejected context still carries an (empty) transfer syntax sub-item: 21 00 00 08 03 00 03 00 40 00 00 00
  assert.ok(bytes.includes(Buffer.from('210000080300030040000000', 'hex')));
});

test('A-ASSOCIATE-RJ, A-ABORT, A-RELEASE-RQ, A-RELEASE-RP: exact bytes', () => {
  assert.equal(
    roundTrip({ type: 'A-ASSOCIATE-RJ', result: 2, source: 3, reason: 2 }).toString('hex'),
    '03000000000400020302',
  );
  assert.equal(roundTrip({ type: 'A-ABORT', source: 2, reason: 6 }).toString('hex'), '07000000000400000206');
  assert.equal(roundTrip({ type: 'A-RELEASE-RQ' }).toString('hex'), '05000000000400000000');
  assert.equal(roundTrip({ type: 'A-RELEASE-RP' }).toString('hex'), '06000000000400000000');
});

test('P-DATA-TF with several PDVs: control header bits and zero-copy data', () => {
  const pdvs: Pdv[] = [
    { contextId: 1, isCommand: true, isLast: true, data: Buffer.from('command') },
    { contextId: 1, isCommand: false, isLast: false, data: Buffer.from('frag-1') },
    { contextId: 3, isCommand: false, isLast: true, data: Buffer.alloc(0) },
    { contextId: 255, isCommand: true, isLast: false, data: Buffer.from([0, 1, 2]) },
  ];
  const bytes = roundTrip({ type: 'P-DATA-TF', pdvs });
  assert.ok(encodePDataTf(pdvs).equals(bytes));
  assert.deepEqual([bytes[11], bytes[24], bytes[36], bytes[42]], [0x03, 0x00, 0x02, 0x01]);
  const decoded = decodePdu(bytes);
  assert.equal(decoded.type, 'P-DATA-TF');
  if (decoded.type === 'P-DATA-TF') assert.equal(decoded.pdvs[0]!.data.buffer, bytes.buffer);
});

test('encoding rejects values that do not fit their fields', () => {
  const bad = [
    () => encodePdu({ ...rq(emptyUserInformation()), calledAeTitle: 'SEVENTEEN_CHARS_X' }),
    () => encodePdu({ type: 'A-ABORT', source: 256, reason: 0 }),
    () => encodePDataTf([{ contextId: 0, isCommand: true, isLast: true, data: Buffer.alloc(0) }]),
    () => encodePDataTf([]),
  ];
  for (const fn of bad) assert.throws(fn, { name: 'PduError', code: 'DT_ERR_PDU_INVALID_VALUE' });
});

test('decoding trims a NUL-padded UID and space-padded AE titles', () => {
  const bytes = encodePdu(rq({ ...emptyUserInformation(), implementationClassUid: '1.2.3\0' }));
  const decoded = decodePdu(bytes);
  assert.equal(decoded.type === 'A-ASSOCIATE-RQ' && decoded.userInformation.implementationClassUid, '1.2.3');
});
