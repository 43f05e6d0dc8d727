/**
 * The node's own lifecycle as node-scoped envelopes (schemas/src/params/node-lifecycle.ts): EVT_NODE_STARTED once
 * the listener is up, EVT_NODE_STOPPED after a graceful stop closed it. One run's events share `run_id`, count
 * `seq` from 0 and have one trace id derived from the run id, so a replay yields the same envelopes.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import {
  assertEvent,
  associationSpanId,
  associationTraceId,
  type DicomtrailEvent,
  eventKind,
  SCHEMA_ID,
  uuidv7,
} from '@dicomtrail/schemas';
import { utcTimestamp } from './clock.js';
import type { NodeInfo } from './envelope.js';

export interface NodeRun {
  node: NodeInfo;
  runId: string;
  aeTitle: string;
  listen: { address: string; port: number };
  seq: number;
}

export function startRun(
  node: NodeInfo,
  aeTitle: string,
  listen: { address: string; port: number },
): NodeRun {
  return { node, runId: randomUUID(), aeTitle, listen, seq: 0 };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '');
  }
}

function envelope(
  run: NodeRun,
  type: 'EVT_NODE_STARTED' | 'EVT_NODE_STOPPED',
  extra: Record<string, unknown>,
): DicomtrailEvent {
  return assertEvent({
    schema: SCHEMA_ID,
    id: uuidv7(),
    type,
    kind: eventKind(type),
    timestamp: utcTimestamp(),
    seq: run.seq++,
    node: run.node,
    params: {
      run_id: run.runId,
      ae_title: run.aeTitle,
      listen: run.listen,
      pid: process.pid,
      user: osUser(),
      ...extra,
    },
    trace: { trace_id: associationTraceId(run.runId), span_id: associationSpanId(run.runId) },
  });
}

export function nodeStarted(run: NodeRun): DicomtrailEvent {
  return envelope(run, 'EVT_NODE_STARTED', {});
}

export function nodeStopped(run: NodeRun, reason: string): DicomtrailEvent {
  return envelope(run, 'EVT_NODE_STOPPED', { reason });
}
