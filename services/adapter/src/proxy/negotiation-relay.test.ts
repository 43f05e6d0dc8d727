import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import { decodePdu } from '../pdu/decode.js';
import { encodePdu } from '../pdu/encode.js';
import { downstreamAccept, offeredMaxPdu, type ProxyIdentity, upstreamRequest } from './negotiation-relay.js';

const OWN: ProxyIdentity = {
  maxPduReceive: 65536,
  offer: 'peer',
  implementationClassUid: '1.2.3.4',
  implementationVersionName: 'PROXY_1',
};
const OWN_MAX: ProxyIdentity = { ...OWN, offer: 'own' };
const CT = '1.2.840.10008.5.1.4.1.1.2';
const GET = '1.2.840.10008.5.1.4.1.2.2.3';

const rq: AssociateRq = {
  type: 'A-ASSOCIATE-RQ',
  protocolVersion: 1,
  calledAeTitle: 'PACS',
  callingAeTitle: 'MODALITY',
  applicationContextName: '1.2.840.10008.3.1.1.1',
  presentationContexts: [
    { id: 1, abstractSyntax: CT, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] },
    { id: 3, abstractSyntax: GET, transferSyntaxes: ['1.2.840.10008.1.2'] },
  ],
  userInformation: {
    maxLength: 16384,
    implementationClassUid: '1.2.276.0.7230010.3.0.3.6.7',
    implementationVersionName: 'OFFIS_DCMTK_367',
    asyncOps: { invoked: 4, performed: 4 },
    roleSelections: [{ sopClassUid: CT, scuRole: true, scpRole: true }],
    sopClassExtended: [{ sopClassUid: GET, info: Buffer.from([1]) }],
    sopClassCommonExtended: [],
    userIdentity: {
      type: 1,
      positiveResponseRequested: true,
      primaryField: Buffer.from('alice'),
      secondaryField: Buffer.alloc(0),
    },
    unknownItems: [],
  },
};

test("upstreamRequest: contexts, calling AE, roles, extended negotiation, identity and the modality's PDU size pass through; ours: implementation; async window dropped", () => {
  const up = upstreamRequest(rq, { aeTitle: 'ARCHIVE', host: 'h', port: 1 }, OWN);
  assert.equal(up.calledAeTitle, 'ARCHIVE');
  assert.equal(up.callingAeTitle, 'MODALITY');
  assert.deepEqual(up.presentationContexts, rq.presentationContexts);
  assert.deepEqual(up.userInformation.roleSelections, rq.userInformation.roleSelections);
  assert.deepEqual(up.userInformation.sopClassExtended, rq.userInformation.sopClassExtended);
  assert.deepEqual(up.userInformation.userIdentity, rq.userInformation.userIdentity);
  assert.equal(up.userInformation.asyncOps, undefined);
  assert.equal(up.userInformation.maxLength, 16384, "the modality's own maximum");
  assert.equal(up.userInformation.implementationClassUid, '1.2.3.4');
  assert.equal(
    upstreamRequest(rq, { host: 'h', port: 1 }, OWN).calledAeTitle,
    'PACS',
    'no route AE: unchanged',
  );
  // It encodes, and decodes back to itself.
  const back = decodePdu(encodePdu(up));
  assert.deepEqual(back, up);
});

const ac: AssociateAc = {
  type: 'A-ASSOCIATE-AC',
  protocolVersion: 1,
  calledAeTitle: 'ARCHIVE',
  callingAeTitle: 'MODALITY',
  applicationContextName: '1.2.840.10008.3.1.1.1',
  presentationContexts: [
    { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2.1' },
    { id: 3, result: 3, transferSyntax: '1.2.840.10008.1.2' },
  ],
  userInformation: {
    maxLength: 32768,
    implementationClassUid: '9.9',
    roleSelections: [{ sopClassUid: CT, scuRole: true, scpRole: false }],
    sopClassExtended: [],
    sopClassCommonExtended: [],
    userIdentityAc: { serverResponse: Buffer.from('ok') },
    unknownItems: [],
  },
};

test('downstreamAccept: the upstream results per context id, its role and identity answers, its PDU size; our implementation', () => {
  const down = downstreamAccept(rq, ac, OWN);
  assert.equal(down.calledAeTitle, 'PACS', 'the AE title the requestor called');
  assert.deepEqual(down.presentationContexts, ac.presentationContexts);
  assert.deepEqual(down.userInformation.roleSelections, ac.userInformation.roleSelections);
  assert.deepEqual(down.userInformation.userIdentityAc, ac.userInformation.userIdentityAc);
  assert.equal(down.userInformation.maxLength, 32768, "the PACS's own maximum");
  assert.equal(down.userInformation.asyncOps, undefined);
  assert.deepEqual(decodePdu(encodePdu(down)), down);
});

test("the offered PDU size: the other side's, bounded by our own; 0 (unlimited) counts as our own", () => {
  assert.equal(offeredMaxPdu(16384, OWN), 16384);
  assert.equal(offeredMaxPdu(1 << 20, OWN), 65536, 'bounded by DICOM_MAX_PDU');
  assert.equal(offeredMaxPdu(0, OWN), 65536, 'unlimited');
  assert.equal(offeredMaxPdu(undefined, OWN), 65536, 'no item');
  const wide = downstreamAccept(rq, { ...ac, userInformation: { ...ac.userInformation, maxLength: 0 } }, OWN);
  assert.equal(wide.userInformation.maxLength, 65536);
});

test("offer 'own' (PROXY_MAX_PDU_OFFER=own): the proxy's own maximum on both sides, whatever the peers say", () => {
  assert.equal(upstreamRequest(rq, { host: 'h', port: 1 }, OWN_MAX).userInformation.maxLength, 65536);
  assert.equal(downstreamAccept(rq, ac, OWN_MAX).userInformation.maxLength, 65536);
  assert.equal(offeredMaxPdu(16384, OWN_MAX), 65536);
});
