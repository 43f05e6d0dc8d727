/**
 * 110102 Begin Transferring DICOM Instances (PS3.15 A.5.3.2): one message per association and study whose
 * instances started to move, at the first instance's time. Source and destination as active participants (the
 * sender is the source: the requestor for received C-STOREs, this node for C-GET and C-MOVE), the study and
 * the patient as participant objects.
 */

import type { AssociationAudit } from '../association-audit.js';
import type { AuditContext, AuditMessage } from '../audit-message.js';
import { EVENT, ROLE } from '../codes.js';
import { stableMessageId } from '../message-id.js';
import {
  acceptorOf,
  auditSource,
  isAuditedLeg,
  participant,
  patientObject,
  proxyOf,
  requestorOf,
  type StudyContent,
  studyObject,
  traceOf,
} from './participants.js';
import { type TransferGroup, transferGroups } from './transfers.js';

/** Source, destination and (for a C-MOVE) the requestor who asked for it. */
export function transferParticipants(a: AssociationAudit, g: TransferGroup): AuditMessage['participants'] {
  if (g.source === 'received')
    return [requestorOf(a, [ROLE.source]), acceptorOf(a, [ROLE.destination]), ...proxyOf(a)];
  if (g.source === 'get')
    return [acceptorOf(a, [ROLE.source]), requestorOf(a, [ROLE.destination]), ...proxyOf(a)];
  const destination = participant({ aeTitle: g.moveDestination || '(unknown AE)' }, false, [
    ROLE.destination,
  ]);
  return [acceptorOf(a, [ROLE.source]), destination, requestorOf(a, []), ...proxyOf(a)];
}

export function beginTransferring(a: AssociationAudit, ctx: AuditContext): AuditMessage[] {
  if (!isAuditedLeg(a)) return [];
  const byStudy = new Map<string, TransferGroup>();
  for (const g of transferGroups(a)) {
    const key = `${g.source}\u0000${g.messageId ?? ''}\u0000${g.studyUid}`;
    const seen = byStudy.get(key);
    if (!seen || g.firstAt < seen.firstAt) byStudy.set(key, g);
  }
  return [...byStudy.values()].map((g) => {
    const study: StudyContent = {
      studyUid: g.studyUid,
      accessions: g.content.accessions,
      sopClasses: new Map(),
    };
    return {
      id: stableMessageId(a.id, EVENT.beginTransferring.code, g.source, g.messageId ?? '', g.studyUid),
      eventId: EVENT.beginTransferring,
      action: 'E',
      dateTime: g.firstAt,
      outcome: 0,
      eventTypes: [],
      participants: transferParticipants(a, g),
      source: auditSource(ctx, a.node.id),
      objects: [studyObject(study), ...(g.patientId ? [patientObject(ctx, g.patientId, g.patientName)] : [])],
      trace: traceOf(a),
    };
  });
}
