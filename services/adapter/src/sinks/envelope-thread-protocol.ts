/**
 * Messages between an EnvelopeThread (the DICOM thread) and its worker (envelope-thread-worker.ts).
 * Events cross as they are (structured clone: one association object shared by many events is copied
 * once per message; a deferred data set header crosses as its bytes); envelopes come back packed into one
 * transferred buffer, in the order given, with the end offset of each (an invalid one is empty and listed).
 */
import type { ThreadPriorityResult } from '@dicomtrail/runtime';
import type { EventIssue } from '@dicomtrail/schemas';
import type { AdapterEvent } from '../association/types.js';
import type { NodeInfo } from '../events/envelope.js';

export interface EnvelopeThreadConfig {
  node: NodeInfo;
  /** The worker thread's nice value (Linux, 0-19; absent or 0: unchanged). */
  nice?: number;
}

/** An event whose envelope is not schema-valid (a bug): not published. */
export interface InvalidEnvelope {
  index: number;
  code: string;
  errors: EventIssue[];
}

export type ToEnvelopeThread = { op: 'encode'; id: number; events: AdapterEvent[] };

export type FromEnvelopeThread =
  | { op: 'encoded'; id: number; values: ArrayBuffer; ends: number[]; invalid: InvalidEnvelope[] }
  | { op: 'failed'; id: number; error: { name: string; message: string } }
  | { op: 'priority'; result: ThreadPriorityResult }
  /** The worker is up and takes batches (posted once, at start). */
  | { op: 'ready' };
