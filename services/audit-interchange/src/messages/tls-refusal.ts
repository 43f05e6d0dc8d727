/**
 * 110113 Security Alert (PS3.15 A.5.3.11) for a connection this node closed at the TLS layer (EVT_TLS_REFUSED,
 * node-scoped: no association exists yet): a failed handshake, a plaintext client on a TLS-only port, or a peer
 * certificate that verified but is not allowed. EventTypeCode DCM 110126 Node Authentication (the peer node was
 * not authenticated) and a dicomtrail code naming the cause. Active participants: the peer as requestor (UserID its
 * certificate subject when it showed one, else its address; its address as network access point) and this node
 * (its node id at the local address). Participant object: the peer node (type 2, role 13 security resource), its
 * address and port as id, the alert in words and the certificate's issuer, serial and SHA-256 as details.
 */
import type { EventOf } from '@dicomtrail/schemas';
import type { ActiveParticipant, AuditContext, AuditMessage, Code } from '../audit-message.js';
import { EVENT, EVENT_TYPE, OBJECT_ID_TYPE, ROLE } from '../codes.js';
import { stableMessageId } from '../message-id.js';
import { auditSource, networkAccessPoint } from './participants.js';

export type TlsRefusedEvent = EventOf<'EVT_TLS_REFUSED'>;

const cause = (code: string, meaning: string): Code => ({ code, system: '99DICOMTRAIL', meaning });
export const TLS_ALERT = {
  'handshake-failed': cause('TLS-HANDSHAKE-FAILED', 'TLS handshake failed'),
  'plaintext-on-tls-port': cause('TLS-PLAINTEXT', 'Plaintext connection on a TLS port'),
  'certificate-refused': cause('TLS-CERTIFICATE-REFUSED', 'Peer certificate refused'),
} as const;

const WHERE: Record<string, string> = {
  listener: 'on the TLS listener',
  upstream: 'to the upstream PACS',
  'move-destination': 'to a C-MOVE destination',
};

export function tlsRefusal(e: TlsRefusedEvent, ctx: AuditContext): AuditMessage[] {
  const p = e.params;
  const cert = p.peer_certificate;
  const where = p.leg ? ` ${WHERE[p.leg] ?? p.leg}` : '';
  const description = [
    `TLS connection from ${p.remote.address}:${p.remote.port} refused${where} (${p.cause}): ${p.reason}`,
    p.protocol ? `protocol ${p.protocol}` : '',
    cert ? `certificate ${cert.subject} issued by ${cert.issuer}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const peerNap = networkAccessPoint(p.remote.address);
  const selfNap = networkAccessPoint(p.local.address);
  const peer: ActiveParticipant = {
    userId: cert?.subject || `${p.remote.address}:${p.remote.port}`,
    ...(cert ? { alternativeUserId: `${p.remote.address}:${p.remote.port}` } : {}),
    userIsRequestor: true,
    roles: [],
    ...(peerNap ? { networkAccessPoint: peerNap } : {}),
  };
  const self: ActiveParticipant = {
    userId: e.node.id,
    userName: `dicomtrail ${e.node.mode} ${p.local.address}:${p.local.port}`,
    userIsRequestor: false,
    roles: [ROLE.application],
    ...(selfNap ? { networkAccessPoint: selfNap } : {}),
  };
  const details = [
    { type: 'Alert Description', value: description },
    ...(cert
      ? [
          { type: 'Certificate Subject', value: cert.subject },
          { type: 'Certificate Issuer', value: cert.issuer },
          { type: 'Certificate Serial', value: cert.serial },
          { type: 'Certificate SHA-256', value: cert.sha256 },
        ]
      : []),
  ];
  return [
    {
      id: stableMessageId(e.id, EVENT.securityAlert.code),
      eventId: EVENT.securityAlert,
      action: 'E',
      dateTime: e.timestamp,
      outcome: 4,
      outcomeDescription: description,
      eventTypes: [EVENT_TYPE.nodeAuthentication, TLS_ALERT[p.cause]],
      participants: [peer, self],
      source: auditSource(ctx, e.node.id),
      objects: [
        {
          typeCode: 2,
          typeCodeRole: 13,
          idTypeCode: OBJECT_ID_TYPE.nodeId,
          id: `${p.remote.address}:${p.remote.port}`,
          ...(cert ? { name: cert.subject } : {}),
          details,
        },
      ],
      trace: { traceId: e.trace.trace_id, spanId: e.trace.span_id },
    },
  ];
}
