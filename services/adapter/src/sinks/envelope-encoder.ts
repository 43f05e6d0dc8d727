/**
 * An adapter event to the bytes a sink publishes: its envelope (events/envelope.ts `envelopeJson`) with every
 * deferred data set header decoded (dataset/deferred-dicom-json.ts), as JSON text.
 *
 * The envelope is not checked against schemas/ here: our own events are typed where they are emitted, and
 * every consumer (the audit writer, the interchange) validates what it reads and dead-letters what does not
 * pass. What is about bytes rather than shape is bounded before this point: each value by
 * EVENT_VALUE_MAX_BYTES (dataset/dicom-json.ts), each record by the log (spool-format.ts) and by Kafka's
 * message size (dead-letters.ts).
 *
 * `encodeEnvelope` is the envelope thread's (decoding is passed in as `resolve`, from the wire form of a
 * deferred header); `encodeEnvelopeHere` is the same text built on the calling thread, where a deferred
 * header decodes itself (once) through its `toJSON`.
 */
import type { EventIssue } from '@dicomtrail/schemas';
import type { AdapterEvent } from '../association/types.js';
import { type DeferredDicomJsonWire, materializeDeferred } from '../dataset/deferred-dicom-json.js';
import type { DicomJson } from '../dataset/dicom-json.js';
import { envelopeJson, type NodeInfo } from '../events/envelope.js';

/** An envelope's JSON text, or why it could not be built (a value JSON cannot carry: a bug). */
export type EncodedEnvelope = { ok: true; json: string } | { ok: false; code: string; errors: EventIssue[] };

export function encodeEnvelope(
  event: AdapterEvent,
  node: NodeInfo,
  resolve: (d: DeferredDicomJsonWire) => DicomJson | undefined,
): EncodedEnvelope {
  try {
    const params = materializeDeferred(event.params, resolve) as Record<string, unknown>;
    return { ok: true, json: envelopeJson(params === event.params ? event : { ...event, params }, node) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, code: 'unencodable_event', errors: [{ path: '', message }] };
  }
}

/** The envelope's JSON text, built on this thread; throws what JSON.stringify throws. */
export function encodeEnvelopeHere(event: AdapterEvent, node: NodeInfo): string {
  return envelopeJson(event, node);
}
