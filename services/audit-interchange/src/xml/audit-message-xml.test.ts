import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditMessage } from '../audit-message.js';
import { EVENT, OBJECT_ID_TYPE, ROLE } from '../codes.js';
import { auditMessageXml, escapeXml } from './audit-message-xml.js';

test('escaping: markup characters as entities, control characters XML 1.0 cannot carry dropped', () => {
  assert.equal(escapeXml(`<a & "b" 'c'>\u0001\t`), '&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;\t');
});

test('a message in the schema order, details in base64, empty attributes left out', () => {
  const m: AuditMessage = {
    id: 'x',
    eventId: EVENT.securityAlert,
    action: 'E',
    dateTime: '2026-12-07T18:56:31.891850Z',
    outcome: 4,
    outcomeDescription: 'called AE title "WRONG"',
    eventTypes: [EVENT.securityAlert],
    participants: [
      {
        userId: 'A<B',
        userIsRequestor: true,
        roles: [ROLE.source],
        networkAccessPoint: { id: '10.0.0.1', typeCode: 2 },
      },
    ],
    source: { id: 'node', enterpriseSiteId: '', typeCodes: [] },
    objects: [
      {
        typeCode: 2,
        typeCodeRole: 13,
        idTypeCode: OBJECT_ID_TYPE.nodeId,
        id: 'A@10.0.0.1',
        details: [{ type: 'Alert Description', value: 'é' }],
      },
    ],
  };
  assert.equal(
    auditMessageXml(m),
    '<?xml version="1.0" encoding="UTF-8"?><AuditMessage>' +
      '<EventIdentification EventActionCode="E" EventDateTime="2026-12-07T18:56:31.891850Z" EventOutcomeIndicator="4">' +
      '<EventID csd-code="110113" codeSystemName="DCM" originalText="Security Alert"/>' +
      '<EventTypeCode csd-code="110113" codeSystemName="DCM" originalText="Security Alert"/>' +
      '<EventOutcomeDescription>called AE title &quot;WRONG&quot;</EventOutcomeDescription></EventIdentification>' +
      '<ActiveParticipant UserID="A&lt;B" UserIsRequestor="true" NetworkAccessPointID="10.0.0.1" NetworkAccessPointTypeCode="2">' +
      '<RoleIDCode csd-code="110153" codeSystemName="DCM" originalText="Source Role ID"/></ActiveParticipant>' +
      '<AuditSourceIdentification AuditSourceID="node"></AuditSourceIdentification>' +
      '<ParticipantObjectIdentification ParticipantObjectID="A@10.0.0.1" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="13">' +
      '<ParticipantObjectIDTypeCode csd-code="110182" codeSystemName="DCM" originalText="Node ID"/>' +
      '<ParticipantObjectName></ParticipantObjectName>' +
      '<ParticipantObjectDetail type="Alert Description" value="w6k="/></ParticipantObjectIdentification></AuditMessage>',
  );
});

test('a study: an empty name (the schema wants a name or a query), the DICOM description inside ParticipantObjectDescription', () => {
  const xml = auditMessageXml({
    id: 'x',
    eventId: EVENT.instancesTransferred,
    action: 'C',
    dateTime: '2026-12-07T18:56:31.891850Z',
    outcome: 0,
    eventTypes: [],
    participants: [{ userId: 'A', userIsRequestor: true, roles: [] }],
    source: { id: 'node', typeCodes: [] },
    objects: [
      {
        typeCode: 2,
        typeCodeRole: 3,
        idTypeCode: OBJECT_ID_TYPE.studyInstanceUid,
        id: '1.2.3',
        accessions: ['ACC1'],
        sopClasses: [{ uid: '1.2.840.10008.5.1.4.1.1.2', numberOfInstances: 2 }],
      },
    ],
  });
  assert.ok(
    xml.includes(
      '<ParticipantObjectName></ParticipantObjectName><ParticipantObjectDescription><Accession Number="ACC1"/>' +
        '<SOPClass UID="1.2.840.10008.5.1.4.1.1.2" NumberOfInstances="2"/></ParticipantObjectDescription></ParticipantObjectIdentification>',
    ),
    xml,
  );
});
