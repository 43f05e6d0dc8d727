/**
 * 110103 DICOM Instances Accessed (PS3.15 A.5.3.3): a C-GET or C-MOVE read a study from this node (or, in proxy
 * mode, from the PACS behind it). One message per operation and study, action 'R', outcome from the
 * operation's final status; the requestor as the active participant who asked, this node (the source of the
 * instances) beside it, the study and the patient as participant objects.
 */

import type { AssociationAudit } from '../association-audit.js';
import type { AuditContext, AuditMessage } from '../audit-message.js';
import { EVENT, ROLE } from '../codes.js';
import { type DicomJson, firstValue, isDicomJson, TAG } from '../dicom-json.js';
import { stableMessageId } from '../message-id.js';
import {
  acceptorOf,
  auditSource,
  describeStatus,
  isAuditedLeg,
  outcomeOfStatus,
  patientObject,
  proxyOf,
  requestorOf,
  type StudyContent,
  studyObject,
  traceOf,
} from './participants.js';

export function instancesAccessed(a: AssociationAudit, ctx: AuditContext): AuditMessage[] {
  if (!isAuditedLeg(a) || a.role !== 'acceptor') return [];
  const out: AuditMessage[] = [];
  for (const op of a.operations) {
    if (op.type !== 'EVT_C_GET' && op.type !== 'EVT_C_MOVE') continue;
    const p = op.params;
    const identifier = isDicomJson(p['identifier']) ? (p['identifier'] as DicomJson) : undefined;
    const messageId = Number(p['message_id']);
    const status = typeof p['status'] === 'number' ? p['status'] : undefined;
    // The studies read: the identifier's, or those of the C-GET's sub-operations when it named none.
    const studies = new Map<string, { patientId: string; patientName: string; content: StudyContent }>();
    const named = firstValue(identifier, TAG.studyInstanceUid);
    if (named)
      for (const uid of named.split('\\'))
        studies.set(uid, {
          patientId: firstValue(identifier, TAG.patientId),
          patientName: firstValue(identifier, TAG.patientName),
          content: { studyUid: uid, accessions: new Set(), sopClasses: new Map() },
        });
    const sent = op.type === 'EVT_C_GET' ? a.sentStores : (a.moveSubStores?.get(messageId) ?? []);
    if (sent.length > 0)
      for (const s of sent) {
        if (op.type === 'EVT_C_GET' && s.timestamp > op.timestamp) continue;
        const entry = studies.get(s.studyUid) ?? {
          patientId: s.patientId,
          patientName: s.patientName,
          content: { studyUid: s.studyUid, accessions: new Set<string>(), sopClasses: new Map() },
        };
        if (!entry.patientId) Object.assign(entry, { patientId: s.patientId, patientName: s.patientName });
        if (s.accession) entry.content.accessions.add(s.accession);
        const set = entry.content.sopClasses.get(s.sopClassUid) ?? new Set<string>();
        set.add(s.sopInstanceUid);
        entry.content.sopClasses.set(s.sopClassUid, set);
        studies.set(s.studyUid, entry);
      }
    if (studies.size === 0)
      studies.set('', {
        patientId: firstValue(identifier, TAG.patientId),
        patientName: '',
        content: { studyUid: '', accessions: new Set(), sopClasses: new Map() },
      });
    const outcome = outcomeOfStatus(status);
    for (const [uid, s] of studies)
      out.push({
        id: stableMessageId(a.id, EVENT.instancesAccessed.code, messageId, uid),
        eventId: EVENT.instancesAccessed,
        action: 'R',
        dateTime: op.timestamp,
        outcome,
        ...(outcome !== 0 ? { outcomeDescription: describeStatus(status, p['error_comment']) } : {}),
        eventTypes: [],
        participants: [requestorOf(a, [ROLE.destination]), acceptorOf(a, [ROLE.source]), ...proxyOf(a)],
        source: auditSource(ctx, a.node.id),
        objects: [
          studyObject(s.content),
          ...(s.patientId ? [patientObject(ctx, s.patientId, s.patientName)] : []),
        ],
        trace: traceOf(a),
      });
  }
  return out;
}
