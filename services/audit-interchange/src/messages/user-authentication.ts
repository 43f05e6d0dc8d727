/**
 * 110114 User Authentication (PS3.15 A.5.3.12): a user identity presented in the A-ASSOCIATE-RQ (PS3.7 D.3.3.7).
 * EventTypeCode 110122 Login; outcome 0 when the association was accepted with it, 4 when it was refused (by this
 * node's verifier, or by the PACS behind the proxy) or the association was rejected, with the refusal's reason.
 * A.5.3.12 reports failed attempts this way, whatever their outcome; the Security Alert event types (CID 403) have
 * no user-authentication alert, so a refused identity gives no 110113 of its own (the association's rejection
 * gives its own alert). The
 * user is the requestor (UserID = the username, or for a token its type and sha256 prefix, never the token;
 * AlternativeUserID = the calling AE title), this node the authenticating application.
 */

import type { AssociationAudit } from '../association-audit.js';
import type { AuditContext, AuditMessage } from '../audit-message.js';
import { EVENT, EVENT_TYPE, ROLE } from '../codes.js';
import { stableMessageId } from '../message-id.js';
import { auditSource, isAuditedLeg, networkAccessPoint, participant, traceOf } from './participants.js';

export function userAuthentication(a: AssociationAudit, ctx: AuditContext): AuditMessage[] {
  const id = a.userIdentity;
  if (!id || !isAuditedLeg(a) || a.role !== 'acceptor') return [];
  const refused = id.verification === 'refused' || id.verification === 'upstream-refused';
  const rejected = refused || a.outcome === 'rejected';
  const by = id.verification === 'upstream-refused' ? 'refused by the PACS' : 'refused';
  const userId = id.username ?? `${id.typeName}:${(id.tokenSha256 ?? 'unknown').slice(0, 16)}`;
  const nap = networkAccessPoint(a.requestor.address);
  return [
    {
      id: stableMessageId(a.id, EVENT.userAuthentication.code),
      eventId: EVENT.userAuthentication,
      action: 'E',
      dateTime: id.timestamp,
      outcome: rejected ? 4 : 0,
      ...(refused
        ? { outcomeDescription: `${id.typeName} identity ${by}${id.reason ? `: ${id.reason}` : ''}` }
        : rejected
          ? { outcomeDescription: 'association rejected' }
          : id.verified
            ? {}
            : { outcomeDescription: `${id.typeName} identity accepted without verification` }),
      eventTypes: [EVENT_TYPE.login],
      participants: [
        {
          userId,
          ...(a.requestor.aeTitle ? { alternativeUserId: a.requestor.aeTitle } : {}),
          userIsRequestor: true,
          roles: [],
          ...(nap ? { networkAccessPoint: nap } : {}),
        },
        participant(a.acceptor, false, [ROLE.application]),
      ],
      source: auditSource(ctx, a.node.id),
      objects: [],
      trace: traceOf(a),
    },
  ];
}
