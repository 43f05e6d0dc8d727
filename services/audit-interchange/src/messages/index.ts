/**
 * Every message kind an association gives, in the order an auditor reads them: who authenticated, what was
 * queried and ordered, what moved (begin, then transferred), what was read, and the alerts.
 */

import type { AssociationAudit } from '../association-audit.js';
import type { AuditContext, AuditMessage } from '../audit-message.js';
import { beginTransferring } from './begin-transferring.js';
import { instancesAccessed } from './instances-accessed.js';
import { instancesTransferred } from './instances-transferred.js';
import { orderRecord } from './order-record.js';
import { query } from './query.js';
import { securityAlert } from './security-alert.js';
import { userAuthentication } from './user-authentication.js';

export { applicationActivity, type NodeLifecycleEvent } from './application-activity.js';
export { type ChainAnchoredEvent, chainAnchored } from './chain-anchored.js';
export { type TlsRefusedEvent, tlsRefusal } from './tls-refusal.js';

const KINDS = [
  userAuthentication,
  query,
  orderRecord,
  beginTransferring,
  instancesTransferred,
  instancesAccessed,
  securityAlert,
] as const;

export function associationMessages(a: AssociationAudit, ctx: AuditContext): AuditMessage[] {
  return KINDS.flatMap((kind) => kind(a, ctx));
}
