/**
 * A DICOM audit message (PS3.15 A.5.1 / A.5.2) as values: what every message kind's mapping produces and what
 * both serialisations read (xml/audit-message-xml.ts for the ATNA syslog feed, fhir/audit-event.ts for FHIR
 * AuditEvent). Field names follow the schema's element and attribute names.
 */

/** A coded value: csd-code, codeSystemName, originalText (the code meaning), as the schema's CodedValueType. */
export interface Code {
  code: string;
  system: string;
  meaning: string;
}

/** EventOutcomeIndicator: 0 success, 4 minor failure, 8 serious failure, 12 major failure. */
export type Outcome = 0 | 4 | 8 | 12;
export type ActionCode = 'C' | 'R' | 'U' | 'D' | 'E';

export interface ActiveParticipant {
  userId: string;
  alternativeUserId?: string;
  userName?: string;
  userIsRequestor: boolean;
  roles: Code[];
  /** 1 machine name, 2 IP address. */
  networkAccessPoint?: { id: string; typeCode: 1 | 2 };
}

export interface SopClassDetail {
  uid: string;
  numberOfInstances: number;
  instances?: string[];
}

export interface ParticipantObject {
  /** 1 person, 2 system object, 3 organization, 4 other. */
  typeCode: 1 | 2 | 3 | 4;
  /** 1 patient, 3 report, 4 domain resource, 13 security resource, 20 job, 24 query, ... */
  typeCodeRole: number;
  idTypeCode: Code;
  id: string;
  name?: string;
  /** Base64 of the query (a C-FIND identifier as a DICOM data set). */
  query?: string;
  details?: { type: string; value: string }[];
  description?: string;
  sopClasses?: SopClassDetail[];
  accessions?: string[];
  mpps?: string[];
  containsStudies?: string[];
  dataLifeCycle?: number;
}

export interface AuditMessage {
  /** Stable across replays: the idempotency key of every destination (message-id.ts). */
  id: string;
  /** Which mapping made it, for logs and tests: '110104', ... */
  eventId: Code;
  action: ActionCode;
  /** UTC, RFC 3339 with microseconds (the event's own timestamp). */
  dateTime: string;
  outcome: Outcome;
  outcomeDescription?: string;
  eventTypes: Code[];
  participants: ActiveParticipant[];
  source: { id: string; enterpriseSiteId?: string; typeCodes: Code[] };
  objects: ParticipantObject[];
  /** The association's W3C trace id (and the association id), carried where the serialisation allows. */
  trace?: { traceId: string; spanId?: string; associationId?: string };
}

/** Where a mapping is: the audit source identity every message carries. */
export interface AuditContext {
  /** AuditSourceID: this installation (default: the node id). */
  sourceId?: string;
  enterpriseSiteId?: string;
  /** Patient names in ParticipantObjectName only when configured (AUDIT_INCLUDE_PATIENT_NAME). */
  includePatientName: boolean;
}
