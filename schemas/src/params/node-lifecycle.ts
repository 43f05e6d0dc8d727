// The adapter node's own lifecycle: EVT_NODE_STARTED when it listens for DICOM, EVT_NODE_STOPPED when a
// graceful stop has closed its listener and its associations (node-scoped, no association). What an Audit
// Record Repository needs for DICOM PS3.15 A.5.3.1 Application Activity (110100): which application, on which
// address, started or stopped, and on whose request.
import { Type } from '@sinclair/typebox';
import { AeTitle, Count, Strict, Uint16, Uuid } from '../common.js';

/** The process run: started and stopped events of one run share it (seq counts per run, from 0). */
const RunId = Uuid;

export const NodeStartedParams = Strict({
  run_id: RunId,
  ae_title: AeTitle,
  listen: Strict({ address: Type.String(), port: Uint16 }),
  /** The operating-system process and user that started the node. */
  pid: Count,
  user: Type.String(),
});

export const NodeStoppedParams = Strict({
  run_id: RunId,
  ae_title: AeTitle,
  listen: Strict({ address: Type.String(), port: Uint16 }),
  pid: Count,
  user: Type.String(),
  /** What asked the node to stop (a signal name such as SIGTERM). */
  reason: Type.String(),
  /** Associations still open at the end of the grace period, aborted. */
  aborted_associations: Type.Optional(Count),
});
