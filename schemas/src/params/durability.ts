// Events about the write-ahead log's promise (issue 15): an association that the adapter's crash cut off.
// On restart the adapter records EVT_ASSOCIATION_INTERRUPTED for every association that the log shows
// open (no release, abort or reject), so the trail says how it ended instead of leaving it unfinished.
import { Type } from '@sinclair/typebox';
import { Count, Name, Strict, Timestamp } from '../common.js';

export const AssociationInterruptedParams = Strict({
  /** The node that served the association when it was cut off (the envelope's node is the one recording it). */
  node_id: Name,
  /** The last seq of the association found in the durable log (this event's seq is the next one). */
  last_seq: Count,
  /** Type and timestamp of that last event. */
  last_type: Type.Optional(Name),
  last_timestamp: Type.Optional(Timestamp),
  /** Why the association ended: the node stopped without closing it (a crash, a kill, a power cut). */
  detail: Type.String(),
});
