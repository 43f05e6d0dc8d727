/**
 * An audit message as a FHIR R4 AuditEvent, following IHE BALP's patterns for DICOM events: type = the DICOM
 * EventID (DCM), subtype = its event type codes, agents with their DCM role (110153 Source, 110152
 * Destination, ...) as `type`, `requestor` and network address, source = this audit source (type 4,
 * application server), entities for the patient (type 1, role 1), the study (type 2, role 3), the query (type 2,
 * role 24, the identifier in `query`) and the association's W3C traceparent (its own entity, so an auditor can
 * jump from the AuditEvent to the trace). The resource id is the message's stable id: a resend is a PUT of the
 * same resource, not a second one. Pure.
 */
import type { AuditMessage, Code, ParticipantObject } from '../audit-message.js';

export const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
/** dicomtrail's own codes: the security alert kinds (99DICOMTRAIL in the DICOM messages) and the trace entity. */
export const DICOMTRAIL_CODES = 'urn:dicomtrail:audit-codes';
const DICOM_UID = 'urn:dicom:uid';

const ENTITY_TYPE_NAMES: Record<number, string> = {
  1: 'Person',
  2: 'System Object',
  3: 'Organization',
  4: 'Other',
};
const OBJECT_ROLE_NAMES: Record<number, string> = {
  1: 'Patient',
  3: 'Report',
  4: 'Domain Resource',
  13: 'Security Resource',
  20: 'Job',
  24: 'Query',
};

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

function coding(c: Code): Coding {
  const system =
    c.system === 'DCM' ? DCM : c.system === '99DICOMTRAIL' ? DICOMTRAIL_CODES : `urn:${c.system}`;
  return { system, code: c.code, display: c.meaning };
}

function uidValue(uid: string): { system: string; value: string } {
  return { system: DICOM_UID, value: `urn:oid:${uid}` };
}

function entity(o: ParticipantObject): Record<string, unknown> {
  const isUid = o.idTypeCode.code === '110180' || o.idTypeCode.code === '110181';
  const identifier = isUid && /^[0-9.]+$/.test(o.id) ? uidValue(o.id) : { value: o.id };
  const details: Record<string, unknown>[] = (o.details ?? []).map((d) => ({
    type: d.type,
    valueString: d.value,
  }));
  for (const s of o.sopClasses ?? [])
    details.push({ type: 'SOPClass', valueString: `${s.uid} NumberOfInstances=${s.numberOfInstances}` });
  for (const a of o.accessions ?? []) details.push({ type: 'Accession', valueString: a });
  for (const m of o.mpps ?? []) details.push({ type: 'MPPS', valueString: m });
  return {
    what: { identifier },
    type: { system: ENTITY_TYPE, code: String(o.typeCode), display: ENTITY_TYPE_NAMES[o.typeCode] },
    role: {
      system: OBJECT_ROLE,
      code: String(o.typeCodeRole),
      ...(OBJECT_ROLE_NAMES[o.typeCodeRole] ? { display: OBJECT_ROLE_NAMES[o.typeCodeRole] } : {}),
    },
    ...(o.query !== undefined ? { query: o.query } : o.name ? { name: o.name } : {}),
    ...(details.length > 0 ? { detail: details } : {}),
  };
}

export function auditEvent(m: AuditMessage): Record<string, unknown> {
  const entities = m.objects.map(entity);
  if (m.trace)
    entities.push({
      what: {
        identifier: {
          system: 'urn:ietf:rfc:3986',
          value: `urn:dicomtrail:traceparent:00-${m.trace.traceId}-${m.trace.spanId ?? '0000000000000001'}-01`,
        },
      },
      type: { system: DICOMTRAIL_CODES, code: 'traceparent', display: 'W3C Trace Context traceparent' },
      description: `trace ${m.trace.traceId}${m.trace.associationId ? ` of association ${m.trace.associationId}` : ''}`,
      detail: [
        { type: 'trace_id', valueString: m.trace.traceId },
        ...(m.trace.associationId ? [{ type: 'association_id', valueString: m.trace.associationId }] : []),
      ],
    });
  return {
    resourceType: 'AuditEvent',
    id: m.id,
    type: coding(m.eventId),
    ...(m.eventTypes.length > 0 ? { subtype: m.eventTypes.map(coding) } : {}),
    action: m.action,
    recorded: m.dateTime,
    outcome: String(m.outcome),
    ...(m.outcomeDescription ? { outcomeDesc: m.outcomeDescription } : {}),
    agent: m.participants.map((p) => ({
      ...(p.roles[0] ? { type: { coding: p.roles.map(coding) } } : {}),
      who: { identifier: { value: p.userId } },
      ...(p.alternativeUserId ? { altId: p.alternativeUserId } : {}),
      ...(p.userName ? { name: p.userName } : {}),
      requestor: p.userIsRequestor,
      ...(p.networkAccessPoint
        ? { network: { address: p.networkAccessPoint.id, type: String(p.networkAccessPoint.typeCode) } }
        : {}),
    })),
    source: {
      ...(m.source.enterpriseSiteId ? { site: m.source.enterpriseSiteId } : {}),
      observer: { display: m.source.id },
      type: m.source.typeCodes.map((t) => ({
        system: SOURCE_TYPE,
        code: t.code,
        display: 'Application Server',
      })),
    },
    ...(entities.length > 0 ? { entity: entities } : {}),
  };
}

/** A transaction Bundle that PUTs each AuditEvent by its id: sending it twice leaves one resource each. */
export function transactionBundle(events: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: events.map((resource) => ({
      fullUrl: `urn:uuid:${String(resource['id'])}`,
      resource,
      request: { method: 'PUT', url: `AuditEvent/${String(resource['id'])}` },
    })),
  };
}
