/**
 * The worker side of EnvelopeThread: builds and serialises envelopes (envelope-encoder.ts) off the
 * DICOM thread, decoding deferred data set headers with dcmjs here. A header carried by two events (the
 * C-STORE's EVT_DIMSE_RECV and EVT_C_STORE) is decoded once: results are kept by header id for a while.
 * Batches are answered in arrival order, each with one transferred buffer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DicomtrailError, setThreadNice } from '@dicomtrail/runtime';
import type { AdapterEvent } from '../association/types.js';
import { type DeferredDicomJsonWire, decodeDeferred } from '../dataset/deferred-dicom-json.js';
import type { DicomJson } from '../dataset/dicom-json.js';
import { encodeEnvelope } from './envelope-encoder.js';
import type {
  EnvelopeThreadConfig,
  FromEnvelopeThread,
  InvalidEnvelope,
  ToEnvelopeThread,
} from './envelope-thread-protocol.js';

const port = parentPort;
if (!port)
  throw new DicomtrailError('DT_ERR_ENVELOPE_THREAD', 'envelope-thread-worker must run in a worker thread');
const cfg = workerData as EnvelopeThreadConfig;
port.postMessage({ op: 'ready' } satisfies FromEnvelopeThread);
if (cfg.nice !== undefined && cfg.nice !== 0) {
  port.postMessage({ op: 'priority', result: setThreadNice(cfg.nice) } satisfies FromEnvelopeThread);
}

/** Decoded headers by id (bounded: the second event of a C-STORE follows the first within milliseconds). */
const DECODED_MAX = 512;
const decoded = new Map<number, DicomJson | undefined>();

function resolve(d: DeferredDicomJsonWire): DicomJson | undefined {
  let value: DicomJson | undefined;
  if (decoded.has(d.id)) value = decoded.get(d.id);
  else {
    value = decodeDeferred(d.bytes, d.options);
    if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value as number);
    decoded.set(d.id, value);
  }
  return value ?? d.fallback;
}

function encodeBatch(
  events: readonly AdapterEvent[],
): Omit<Extract<FromEnvelopeThread, { op: 'encoded' }>, 'op' | 'id'> {
  const texts: string[] = [];
  const invalid: InvalidEnvelope[] = [];
  let total = 0;
  for (let i = 0; i < events.length; i++) {
    const r = encodeEnvelope(events[i] as AdapterEvent, cfg.node, resolve);
    if (r.ok) {
      texts.push(r.json);
      total += Buffer.byteLength(r.json);
    } else {
      texts.push('');
      invalid.push({ index: i, code: r.code, errors: r.errors });
    }
  }
  // A fresh (never pooled) buffer, so it can be transferred.
  const values = new ArrayBuffer(total);
  const out = Buffer.from(values);
  const ends: number[] = [];
  let at = 0;
  for (const t of texts) {
    at += out.write(t, at, 'utf8');
    ends.push(at);
  }
  return { values, ends, invalid };
}

port.on('message', (msg: ToEnvelopeThread) => {
  let reply: FromEnvelopeThread;
  try {
    reply = { op: 'encoded', id: msg.id, ...encodeBatch(msg.events) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { op: 'failed', id: msg.id, error: { name: e.name, message: e.message } };
  }
  port.postMessage(reply, reply.op === 'encoded' ? [reply.values] : []);
});
