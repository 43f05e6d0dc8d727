/**
 * An audit message as the XML of PS3.15 A.5.1 (schema/dicom-audit-message.rng): elements in the schema's order,
 * attributes escaped, ParticipantObjectDetail values in base64 (the schema's xsd:base64Binary), no indentation
 * (one message is one syslog MSG). Pure.
 */
import type { AuditMessage, Code, ParticipantObject } from '../audit-message.js';

export function escapeXml(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML 1.0 forbids are matched on purpose
  return s.replace(/[<>&"'\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return ''; // control characters XML 1.0 cannot carry
    }
  });
}

function attrs(pairs: readonly [string, string | number | boolean | undefined][]): string {
  return pairs
    .filter((p): p is [string, string | number | boolean] => p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

function code(name: string, c: Code): string {
  return `<${name}${attrs([
    ['csd-code', c.code],
    ['codeSystemName', c.system],
    ['originalText', c.meaning],
  ])}/>`;
}

function object(o: ParticipantObject): string {
  const parts: string[] = [code('ParticipantObjectIDTypeCode', o.idTypeCode)];
  // The schema wants a name or a query on every object: a withheld or unknown name is an empty one.
  if (o.query !== undefined) parts.push(`<ParticipantObjectQuery>${o.query}</ParticipantObjectQuery>`);
  else parts.push(`<ParticipantObjectName>${escapeXml(o.name ?? '')}</ParticipantObjectName>`);
  for (const d of o.details ?? [])
    parts.push(
      `<ParticipantObjectDetail${attrs([
        ['type', d.type],
        ['value', Buffer.from(d.value, 'utf8').toString('base64')],
      ])}/>`,
    );
  const dicom = dicomDescription(o);
  if (dicom) parts.push(`<ParticipantObjectDescription>${dicom}</ParticipantObjectDescription>`);
  return `<ParticipantObjectIdentification${attrs([
    ['ParticipantObjectID', o.id],
    ['ParticipantObjectTypeCode', o.typeCode],
    ['ParticipantObjectTypeCodeRole', o.typeCodeRole],
    ['ParticipantObjectDataLifeCycle', o.dataLifeCycle],
  ])}>${parts.join('')}</ParticipantObjectIdentification>`;
}

/** The DICOM extensions of A.5.2 (MPPS, accessions, SOP classes, studies), the content of ParticipantObjectDescription. */
function dicomDescription(o: ParticipantObject): string {
  const parts: string[] = [];
  for (const uid of o.mpps ?? []) parts.push(`<MPPS${attrs([['UID', uid]])}/>`);
  for (const n of o.accessions ?? []) parts.push(`<Accession${attrs([['Number', n]])}/>`);
  for (const s of o.sopClasses ?? []) {
    const instances = (s.instances ?? []).map((uid) => `<Instance${attrs([['UID', uid]])}/>`).join('');
    const a = attrs([
      ['UID', s.uid],
      ['NumberOfInstances', s.numberOfInstances],
    ]);
    parts.push(instances ? `<SOPClass${a}>${instances}</SOPClass>` : `<SOPClass${a}/>`);
  }
  if (o.containsStudies && o.containsStudies.length > 0)
    parts.push(
      `<ParticipantObjectContainsStudy>${o.containsStudies.map((uid) => `<StudyIDs${attrs([['UID', uid]])}/>`).join('')}</ParticipantObjectContainsStudy>`,
    );
  return parts.join('');
}

export function auditMessageXml(m: AuditMessage): string {
  const event = [
    code('EventID', m.eventId),
    ...m.eventTypes.map((t) => code('EventTypeCode', t)),
    ...(m.outcomeDescription
      ? [`<EventOutcomeDescription>${escapeXml(m.outcomeDescription)}</EventOutcomeDescription>`]
      : []),
  ].join('');
  const participants = m.participants
    .map(
      (p) =>
        `<ActiveParticipant${attrs([
          ['UserID', p.userId],
          ['AlternativeUserID', p.alternativeUserId],
          ['UserName', p.userName],
          ['UserIsRequestor', p.userIsRequestor],
          ['NetworkAccessPointID', p.networkAccessPoint?.id],
          ['NetworkAccessPointTypeCode', p.networkAccessPoint?.typeCode],
        ])}>${p.roles.map((r) => code('RoleIDCode', r)).join('')}</ActiveParticipant>`,
    )
    .join('');
  const source = `<AuditSourceIdentification${attrs([
    ['AuditEnterpriseSiteID', m.source.enterpriseSiteId],
    ['AuditSourceID', m.source.id],
  ])}>${m.source.typeCodes.map((t) => code('AuditSourceTypeCode', t)).join('')}</AuditSourceIdentification>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<AuditMessage>',
    `<EventIdentification${attrs([
      ['EventActionCode', m.action],
      ['EventDateTime', m.dateTime],
      ['EventOutcomeIndicator', m.outcome],
    ])}>${event}</EventIdentification>`,
    participants,
    source,
    ...m.objects.map(object),
    '</AuditMessage>',
  ].join('');
}
