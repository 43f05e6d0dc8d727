// Events about the audit trail itself: EVT_SPOOL_LIMIT (ARCHITECTURE "Delivery guarantees": the
// spool is full, so the association is refused, or admitted under fail-open) and EVT_RETENTION
// (time partitions of audit.events dropped by the retention job; node-scoped, no association).
import { Type } from '@sinclair/typebox';
import { Count, Name, Strict, Timestamp } from '../common.js';
import { RejectCause } from './acse.js';

export const SpoolLimitParams = Strict({
  policy: Type.Union([Type.Literal('fail-closed'), Type.Literal('fail-open')]),
  action: Type.Union([Type.Literal('rejected'), Type.Literal('admitted')]),
  spool_bytes: Count,
  spool_limit_bytes: Count,
  spool_events: Type.Optional(Count),
  /** The A-ASSOCIATE-RJ sent (2 transient / 3 provider presentation / 2 local limit exceeded). */
  cause: Type.Optional(RejectCause),
});

export const DroppedPartition = Strict({
  name: Name,
  from: Timestamp,
  to: Timestamp,
  rows: Type.Optional(Count),
});

export const RetentionParams = Strict({
  /** Everything that occurred before this instant is eligible for removal. */
  cutoff: Timestamp,
  retention_days: Type.Optional(Count),
  partitions: Type.Array(DroppedPartition),
});
