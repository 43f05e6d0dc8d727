/**
 * An anchor as an event (EVT_CHAIN_ANCHORED, node-scoped, node mode 'anchor'), so it can leave on the event topic:
 * the audit interchange forwards it to the Audit Record Repository, the audit writer records it in the trail. It
 * carries the whole anchor as signed. Everything in it derives from the anchor, so publishing the same anchor again
 * gives the same event, byte for byte: the id is a UUIDv7 of the anchor's time with the rest from the SHA-256 of its
 * signature, seq is the anchor's seq minus one (a gap in the events is a gap in the anchors), and the trace ids come
 * from the statement digest. Pure.
 */
import { createHash } from 'node:crypto';
import { type DicomtrailEvent, SCHEMA_ID } from '@dicomtrail/schemas';
import { type Anchor, anchorDigest } from './anchor-record.js';

export interface AnchorNode {
  id: string;
  hostname: string;
  version: string;
}

const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

/** A UUIDv7 whose time is the anchor's and whose other bits come from its signature. */
export function anchorEventId(anchor: Anchor): string {
  const ms = Date.parse(anchor.created_at);
  const t = Math.max(0, ms).toString(16).padStart(12, '0').slice(-12);
  const h = sha256(anchor.signature);
  const variant = ((Number.parseInt(h[3] as string, 16) & 0x3) | 0x8).toString(16);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${h.slice(0, 3)}-${variant}${h.slice(4, 7)}-${h.slice(7, 19)}`;
}

/** RFC 3339 with six fractional digits, as every event's timestamp. */
function micros(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().replace('Z', '000Z');
}

export function chainAnchoredEvent(anchor: Anchor, file: string, node: AnchorNode): DicomtrailEvent {
  const digest = anchorDigest(anchor);
  return {
    schema: SCHEMA_ID,
    id: anchorEventId(anchor),
    type: 'EVT_CHAIN_ANCHORED',
    kind: 'notification',
    timestamp: micros(anchor.created_at),
    seq: anchor.seq - 1,
    node: { ...node, mode: 'anchor' },
    params: {
      anchor,
      file,
      statement_sha256: digest,
      ...(anchor.timestamp_token
        ? { timestamp_token_sha256: sha256(Buffer.from(anchor.timestamp_token, 'base64')) }
        : {}),
    },
    trace: { trace_id: digest.slice(0, 32), span_id: digest.slice(32, 48) },
  } as DicomtrailEvent;
}
