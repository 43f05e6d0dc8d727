/**
 * An adapter event to the bytes a sink publishes: its envelope (events/envelope.ts) with every deferred
 * data set header decoded (dataset/deferred-dicom-json.ts), checked against schemas/, as JSON text.
 * One function for both places that do it: the envelope thread (off the DICOM thread) and, without one,
 * the Kafka sink itself. Pure: decoding is passed in as `resolve`.
 */
import { type EventIssue, isEvent, parseEvent } from '@dicomtrail/schemas';
import type { AdapterEvent } from '../association/types.js';
import { type DeferredDicomJsonWire, materializeDeferred } from '../dataset/deferred-dicom-json.js';
import type { DicomJson } from '../dataset/dicom-json.js';
import { type NodeInfo, toEnvelope } from '../events/envelope.js';

export type EncodedEnvelope = { ok: true; json: string } | { ok: false; code: string; errors: EventIssue[] };

const MAX_ERRORS = 10;

export function encodeEnvelope(
  event: AdapterEvent,
  node: NodeInfo,
  resolve: (d: DeferredDicomJsonWire) => DicomJson | undefined,
): EncodedEnvelope {
  const params = materializeDeferred(event.params, resolve) as Record<string, unknown>;
  const envelope = toEnvelope(params === event.params ? event : { ...event, params }, node);
  // The boolean check is 3x cheaper than collecting errors; errors are collected only for an invalid one.
  if (isEvent(envelope)) return { ok: true, json: JSON.stringify(envelope) };
  const parsed = parseEvent(envelope);
  return parsed.ok
    ? { ok: true, json: JSON.stringify(envelope) }
    : { ok: false, code: parsed.code, errors: parsed.errors.slice(0, MAX_ERRORS) };
}
