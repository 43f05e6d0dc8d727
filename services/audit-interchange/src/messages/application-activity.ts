/**
 * 110100 Application Activity (PS3.15 A.5.3.1): the adapter node started or stopped (EVT_NODE_STARTED /
 * EVT_NODE_STOPPED). EventTypeCode 110120 Application Start or 110121 Application Stop; the application (its AE
 * title, the process id as AlternativeUserID, its host) and the operating-system user who launched it (role
 * 110151 Application Launcher, the requestor) as active participants.
 */
import type { EventOf } from '@dicomtrail/schemas';
import type { AuditContext, AuditMessage } from '../audit-message.js';
import { EVENT, EVENT_TYPE, ROLE } from '../codes.js';
import { stableMessageId } from '../message-id.js';
import { auditSource, networkAccessPoint } from './participants.js';

export type NodeLifecycleEvent = EventOf<'EVT_NODE_STARTED'> | EventOf<'EVT_NODE_STOPPED'>;

export function applicationActivity(e: NodeLifecycleEvent, ctx: AuditContext): AuditMessage[] {
  const started = e.type === 'EVT_NODE_STARTED';
  const p = e.params;
  const nap = networkAccessPoint(e.node.hostname);
  return [
    {
      id: stableMessageId(e.id, EVENT.applicationActivity.code),
      eventId: EVENT.applicationActivity,
      action: 'E',
      dateTime: e.timestamp,
      outcome: 0,
      ...(e.type === 'EVT_NODE_STOPPED' ? { outcomeDescription: `stopped on ${e.params.reason}` } : {}),
      eventTypes: [started ? EVENT_TYPE.applicationStart : EVENT_TYPE.applicationStop],
      participants: [
        {
          userId: p.ae_title,
          alternativeUserId: String(p.pid),
          userName: `dicomtrail adapter ${e.node.id} (${e.node.mode}) ${p.listen.address}:${p.listen.port}`,
          userIsRequestor: false,
          roles: [ROLE.application],
          ...(nap ? { networkAccessPoint: nap } : {}),
        },
        { userId: p.user || '(unknown user)', userIsRequestor: true, roles: [ROLE.applicationLauncher] },
      ],
      source: auditSource(ctx, e.node.id),
      objects: [],
      trace: { traceId: e.trace.trace_id, spanId: e.trace.span_id },
    },
  ];
}
