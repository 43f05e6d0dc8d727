/**
 * 110101 Audit Log Used (PS3.15 A.5.3.2) for an anchor of the audit trail (EVT_CHAIN_ANCHORED): the anchoring
 * process read the heads of the trail's hash chains and signed them outside the database. Of the standard's
 * messages this is the one about the audit log itself: "a person or process reading a log of audit trail
 * information", action R, the audit log as its one participant object (type 2 system object, role 13 security
 * resource, ID type 12 URI, name "Security Audit Log"). The anchor rides in that object as ParticipantObjectDetail
 * value pairs, which the schema carries as base64 to keep any content intact: `dicomtrail.anchor/1` holds the whole
 * anchor as the anchoring process wrote it (so what the repository stored verifies on its own, with the anchoring
 * public key), beside its seq, key id, statement digest and timestamp token digest. EventTypeCode: a dicomtrail
 * code, CHAIN-ANCHORED (A.5.3.2 leaves the event type open). The anchoring process is the requestor.
 */
import type { EventOf } from '@dicomtrail/schemas';
import type { AuditContext, AuditMessage, Code } from '../audit-message.js';
import { EVENT, OBJECT_ID_TYPE, ROLE } from '../codes.js';
import { stableMessageId } from '../message-id.js';
import { auditSource, networkAccessPoint } from './participants.js';

export type ChainAnchoredEvent = EventOf<'EVT_CHAIN_ANCHORED'>;

export const CHAIN_ANCHORED: Code = {
  code: 'CHAIN-ANCHORED',
  system: '99DICOMTRAIL',
  meaning: 'Audit trail chain heads signed',
};
/** The ParticipantObjectDetail type that carries the whole anchor (its JSON). */
export const ANCHOR_DETAIL = 'dicomtrail.anchor/1';

export function chainAnchored(e: ChainAnchoredEvent, ctx: AuditContext): AuditMessage[] {
  const { anchor, file, statement_sha256, timestamp_token_sha256 } = e.params;
  const nap = networkAccessPoint(e.node.hostname);
  const stamped = anchor.timestamp_token ? ', timestamped' : '';
  return [
    {
      id: stableMessageId(e.id, EVENT.auditLogUsed.code),
      eventId: EVENT.auditLogUsed,
      action: 'R',
      dateTime: e.timestamp,
      outcome: 0,
      outcomeDescription: `anchor ${anchor.seq} (${file}): ${anchor.heads.length} chain heads${anchor.full ? ' (all chains)' : ''}, ${anchor.retired.length} retired, signed by ${anchor.key_id}${stamped}`,
      eventTypes: [CHAIN_ANCHORED],
      participants: [
        {
          userId: e.node.id,
          alternativeUserId: anchor.key_id,
          userName: 'dicomtrail anchoring process',
          userIsRequestor: true,
          roles: [ROLE.application],
          ...(nap ? { networkAccessPoint: nap } : {}),
        },
      ],
      source: auditSource(ctx, e.node.id),
      objects: [
        {
          typeCode: 2,
          typeCodeRole: 13,
          idTypeCode: OBJECT_ID_TYPE.uri,
          id: `urn:dicomtrail:audit-trail:${anchor.key_id}`,
          name: 'Security Audit Log',
          details: [
            { type: ANCHOR_DETAIL, value: JSON.stringify(anchor) },
            { type: 'Anchor Seq', value: String(anchor.seq) },
            { type: 'Key ID', value: anchor.key_id },
            { type: 'Statement SHA-256', value: statement_sha256 },
            ...(timestamp_token_sha256
              ? [{ type: 'Timestamp Token SHA-256', value: timestamp_token_sha256 }]
              : []),
          ],
        },
      ],
      trace: { traceId: e.trace.trace_id, spanId: e.trace.span_id },
    },
  ];
}
