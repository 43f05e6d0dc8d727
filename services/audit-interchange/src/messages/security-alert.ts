/**
 * 110113 Security Alert (PS3.15 A.5.3.11): what a security office must see of the network, one message each:
 *  - an association rejected (A-ASSOCIATE-RJ, also the DUL's protocol-version reject and a refusal because the
 *    audit spool is full), with the reject's result, source, reason and detail;
 *  - an association aborted (A-ABORT / A-P-ABORT, either side), with its source and reason;
 *  - an invalid PDU, with the error code, field and offset (the A-ABORT it caused is part of that alert).
 * EventTypeCode: DCM 110126 Node Authentication for rejects (the peer was not admitted), and a dicomtrail code
 * naming the alert. The reporting node and the peer are the active participants (the peer as requestor), the
 * peer's node (AE title at its address) the participant object (type 2, role 13 security resource).
 */

import type { AssociationAudit } from '../association-audit.js';
import type { AuditContext, AuditMessage, Code } from '../audit-message.js';
import { EVENT, EVENT_TYPE, OBJECT_ID_TYPE, ROLE } from '../codes.js';
import { stableMessageId } from '../message-id.js';
import { auditSource, isAuditedLeg, participant, traceOf } from './participants.js';

const alert = (code: string, meaning: string): Code => ({ code, system: '99DICOMTRAIL', meaning });
export const ALERT = {
  rejected: alert('ASSOCIATION-REJECTED', 'Association rejected'),
  aborted: alert('ASSOCIATION-ABORTED', 'Association aborted'),
  invalidPdu: alert('INVALID-PDU', 'Invalid PDU received'),
} as const;

function describeCause(kind: string, cause: Record<string, unknown> | undefined): string {
  if (!cause) return kind;
  const parts = ['result_name', 'source_name', 'reason_name']
    .map((k) => cause[k])
    .filter((v): v is string => typeof v === 'string');
  const by = typeof cause['initiator'] === 'string' ? ` (by ${cause['initiator']})` : '';
  const detail = typeof cause['detail'] === 'string' ? `: ${cause['detail']}` : '';
  return `${kind} ${parts.join(' ')}${by}${detail}`.trim();
}

export function securityAlert(a: AssociationAudit, ctx: AuditContext): AuditMessage[] {
  if (!isAuditedLeg(a)) return [];
  // This node, reporting; the peer: the requestor when this node accepted, the acceptor when it called out.
  const self = a.role === 'acceptor' ? a.acceptor : a.requestor;
  const peer = a.role === 'acceptor' ? a.requestor : a.acceptor;
  const base = (at: string, eventTypes: Code[], description: string, key: string): AuditMessage => ({
    id: stableMessageId(a.id, EVENT.securityAlert.code, key),
    eventId: EVENT.securityAlert,
    action: 'E',
    dateTime: at,
    outcome: 4,
    outcomeDescription: description,
    eventTypes,
    participants: [
      participant(self, false, [ROLE.application]),
      participant(peer, true, [], a.userIdentity?.username),
    ],
    source: auditSource(ctx, a.node.id),
    objects: [
      {
        typeCode: 2,
        typeCodeRole: 13,
        idTypeCode: OBJECT_ID_TYPE.nodeId,
        id: `${peer.aeTitle || '(unknown AE)'}@${peer.address ?? '(unknown address)'}`,
        details: [{ type: 'Alert Description', value: description }],
      },
    ],
    trace: traceOf(a),
  });
  const out: AuditMessage[] = [];
  if (a.outcome === 'rejected' && a.endedAt) {
    const spool = a.spoolLimit ? '; the audit spool is full' : '';
    out.push(
      base(
        a.endedAt,
        [EVENT_TYPE.nodeAuthentication, ALERT.rejected],
        `${describeCause('A-ASSOCIATE-RJ', a.cause)}${spool}`,
        'rejected',
      ),
    );
  }
  // An abort the DUL sent because of an invalid PDU is that PDU's alert, not a second one.
  const abortForInvalidPdu = a.invalidPdus.length > 0 && a.cause?.['initiator'] === 'dul';
  if (a.outcome === 'aborted' && a.endedAt && !abortForInvalidPdu)
    out.push(base(a.endedAt, [ALERT.aborted], describeCause('A-ABORT', a.cause), 'aborted'));
  a.invalidPdus.forEach((pdu, i) => {
    const p = pdu.params;
    const where = [
      p['pdu_type'],
      p['field'] && `field ${p['field']}`,
      p['offset'] !== undefined && `offset ${p['offset']}`,
    ]
      .filter(Boolean)
      .join(', ');
    const text = `invalid PDU ${p['code']}${where ? ` (${where})` : ''}${p['message'] ? `: ${p['message']}` : ''}`;
    out.push(base(pdu.timestamp, [ALERT.invalidPdu], text, `invalid-pdu-${i}`));
  });
  return out;
}
