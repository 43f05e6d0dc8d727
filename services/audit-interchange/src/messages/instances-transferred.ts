/**
 * 110104 DICOM Instances Transferred (PS3.15 A.5.3.4): one message per association, study and outcome (A.5.2:
 * never one message with mixed results), at the last instance's time. Received instances are created ('C') at
 * the destination, retrieved ones read ('R'). A C-MOVE with 3 sub-operations completed and 1 failed gives two
 * messages, outcome 0 with 3 instances and outcome 4 with 1 and the reason.
 */

import type { AssociationAudit } from '../association-audit.js';
import type { AuditContext, AuditMessage } from '../audit-message.js';
import { EVENT } from '../codes.js';
import { stableMessageId } from '../message-id.js';
import { transferParticipants } from './begin-transferring.js';
import { auditSource, isAuditedLeg, patientObject, studyObject, traceOf } from './participants.js';
import { transferGroups } from './transfers.js';

export function instancesTransferred(a: AssociationAudit, ctx: AuditContext): AuditMessage[] {
  if (!isAuditedLeg(a)) return [];
  return transferGroups(a).map((g) => {
    const study = studyObject(g.content);
    if (g.source === 'move') study.details = [{ type: 'NumberOfInstances', value: String(g.instances) }];
    return {
      id: stableMessageId(
        a.id,
        EVENT.instancesTransferred.code,
        g.source,
        g.messageId ?? '',
        g.studyUid,
        g.outcome,
      ),
      eventId: EVENT.instancesTransferred,
      action: g.source === 'received' ? 'C' : 'R',
      dateTime: g.lastAt,
      outcome: g.outcome,
      ...(g.failures.length > 0 ? { outcomeDescription: g.failures.join('; ') } : {}),
      eventTypes: [],
      participants: transferParticipants(a, g),
      source: auditSource(ctx, a.node.id),
      objects: [study, ...(g.patientId ? [patientObject(ctx, g.patientId, g.patientName)] : [])],
      trace: traceOf(a),
    };
  });
}
