/**
 * The parts every association message shares (PS3.15 A.5.2): the requestor and the acceptor as active
 * participants (AE title as UserID, the user identity's username as UserName, the IP address as network access
 * point), the audit source, the patient and study participant objects, and outcome codes from DIMSE statuses.
 */

import type { AssociationAudit, Endpoint } from '../association-audit.js';
import type {
  ActiveParticipant,
  AuditContext,
  AuditMessage,
  Code,
  Outcome,
  ParticipantObject,
} from '../audit-message.js';
import { OBJECT_ID_TYPE, ROLE, SOURCE_TYPE_APPLICATION_SERVER } from '../codes.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function networkAccessPoint(address: string | undefined): ActiveParticipant['networkAccessPoint'] {
  if (!address) return undefined;
  return { id: address, typeCode: IPV4.test(address) || address.includes(':') ? 2 : 1 };
}

export function participant(
  end: Endpoint,
  isRequestor: boolean,
  roles: Code[],
  userName?: string,
): ActiveParticipant {
  const nap = networkAccessPoint(end.address);
  return {
    userId: end.aeTitle || '(unknown AE)',
    ...(userName ? { userName } : {}),
    userIsRequestor: isRequestor,
    roles,
    ...(nap ? { networkAccessPoint: nap } : {}),
  };
}

/** The association's requestor, with the user identity's username when one was negotiated. */
export function requestorOf(a: AssociationAudit, roles: Code[]): ActiveParticipant {
  return participant(a.requestor, true, roles, a.userIdentity?.username);
}

/** The acceptor: this node, or in proxy mode the PACS the proxy relayed to (its address when known). */
export function acceptorOf(a: AssociationAudit, roles: Code[]): ActiveParticipant {
  const end = a.proxiedTo
    ? { ...a.proxiedTo, aeTitle: a.proxiedTo.aeTitle || a.acceptor.aeTitle }
    : a.acceptor;
  return participant(end, false, roles);
}

/**
 * In proxy mode, the proxy itself beside the modality and the PACS: an application that relayed the exchange
 * (UserID = its node id, the address the modality called), neither source nor destination.
 */
export function proxyOf(a: AssociationAudit): ActiveParticipant[] {
  if (a.node.mode !== 'proxy') return [];
  const nap = networkAccessPoint(a.acceptor.address);
  const upstream = a.proxiedTo
    ? ` relaying to ${a.proxiedTo.aeTitle}@${a.proxiedTo.address}:${a.proxiedTo.port}`
    : '';
  return [
    {
      userId: a.node.id,
      userName: `dicomtrail audit proxy${upstream}`,
      userIsRequestor: false,
      roles: [ROLE.application],
      ...(nap ? { networkAccessPoint: nap } : {}),
    },
  ];
}

export function auditSource(ctx: AuditContext, nodeId: string): AuditMessage['source'] {
  return {
    id: ctx.sourceId ?? nodeId,
    ...(ctx.enterpriseSiteId ? { enterpriseSiteId: ctx.enterpriseSiteId } : {}),
    typeCodes: [SOURCE_TYPE_APPLICATION_SERVER],
  };
}

export function patientObject(ctx: AuditContext, id: string, name?: string): ParticipantObject {
  return {
    typeCode: 1,
    typeCodeRole: 1,
    idTypeCode: OBJECT_ID_TYPE.patientNumber,
    id,
    ...(ctx.includePatientName && name ? { name } : {}),
  };
}

export interface StudyContent {
  studyUid: string;
  accessions: Set<string>;
  /** SOP class UID -> instance UIDs. */
  sopClasses: Map<string, Set<string>>;
  /** Instances counted without their UIDs (C-MOVE sub-operation counts). */
  counted?: number;
}

export function studyObject(s: StudyContent): ParticipantObject {
  const sopClasses = [...s.sopClasses].map(([uid, instances]) => ({
    uid,
    numberOfInstances: instances.size,
  }));
  return {
    typeCode: 2,
    typeCodeRole: 3,
    idTypeCode: OBJECT_ID_TYPE.studyInstanceUid,
    id: s.studyUid || '(unknown study)',
    ...(s.accessions.size > 0 ? { accessions: [...s.accessions] } : {}),
    ...(sopClasses.length > 0 ? { sopClasses } : {}),
  };
}

/** PS3.7 C.4: the category of a DIMSE status code. */
export function statusCategory(status: number): 'success' | 'warning' | 'failure' | 'cancel' | 'pending' {
  if (status === 0x0000) return 'success';
  if (status === 0xfe00) return 'cancel';
  if (status === 0xff00 || status === 0xff01) return 'pending';
  if (status === 0x0001 || status === 0x0107 || status === 0x0116 || (status & 0xf000) === 0xb000)
    return 'warning';
  return 'failure';
}

/** EventOutcomeIndicator from a DIMSE status: success and warning are 0, a cancel or a failure 4. */
export function outcomeOfStatus(status: number | undefined): Outcome {
  if (status === undefined) return 4;
  const c = statusCategory(status);
  return c === 'success' || c === 'warning' ? 0 : 4;
}

export function hex4(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** "status 0xA801 (failure): <error comment>" for an outcome description. */
export function describeStatus(status: number | undefined, comment?: unknown): string {
  if (status === undefined) return 'no final response';
  const base = `status ${hex4(status)} (${statusCategory(status)})`;
  return typeof comment === 'string' && comment ? `${base}: ${comment}` : base;
}

/** The trace an association's messages carry. */
export function traceOf(a: AssociationAudit): AuditMessage['trace'] {
  return { traceId: a.traceId, spanId: a.spanId, associationId: a.id };
}

/** The legs a message describes: in proxy mode only the one the modality opened (the upstream leg mirrors it). */
export function isAuditedLeg(a: AssociationAudit): boolean {
  return !(a.node.mode === 'proxy' && a.role === 'requestor');
}
