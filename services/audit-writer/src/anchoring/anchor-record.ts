/**
 * An anchor: the heads of the audit trail's hash chains at one moment, signed outside the database.
 * File format `dicomtrail.anchor/1`, one JSON object per file:
 *   format        "dicomtrail.anchor/1"
 *   seq           1, 2, 3, ... without gaps (the file name carries it too)
 *   created_at    the anchoring process's clock, RFC 3339 UTC
 *   interval_ms   the anchoring interval in force (verify reports longer silences)
 *   key_id        "sha256:<hex of the public key's SPKI DER>"
 *   prev          SHA-256 (hex) of the previous anchor's signed statement; null for seq 1
 *   full          true: `heads` lists every chain in the database; false: only chains changed since `prev`
 *   heads         [{ chain_id, position, hash }]: chain_heads as read (hash hex)
 *   retired       [{ chain_id, position, hash, retention }]: chains gone since `prev`, with the retention
 *                 record that accounts for them as the database had it (null when none did)
 *   signature     base64 Ed25519 signature of the statement
 *   timestamp_token  base64 DER RFC 3161 TimeStampToken over SHA-256(signature bytes); absent without a TSA
 * The statement is the canonical JSON (RFC 8785) of every field but signature and timestamp_token, so any
 * edit of a signed field breaks the signature, and `prev` chains the anchors: an anchor removed from the
 * middle breaks the next one's link, and a timestamp on one anchor dates every anchor before it.
 */
import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

export const ANCHOR_FORMAT = 'dicomtrail.anchor/1';

export interface AnchoredHead {
  chain_id: string;
  position: number;
  hash: string;
}

/** The retention record that accounts for a chain no longer in the database. */
export interface RetentionFact {
  /** The EVT_RETENTION event that names the chain's partition. */
  event_id: string;
  occurred_at: string;
  cutoff: string;
  retention_days: number;
  partition: string;
}

export interface RetiredChain extends AnchoredHead {
  retention: RetentionFact | null;
}

export interface AnchorStatement {
  format: typeof ANCHOR_FORMAT;
  seq: number;
  created_at: string;
  interval_ms: number;
  key_id: string;
  prev: string | null;
  full: boolean;
  heads: AnchoredHead[];
  retired: RetiredChain[];
}

export interface Anchor extends AnchorStatement {
  signature: string;
  timestamp_token?: string;
}

export function statementOf(anchor: AnchorStatement | Anchor): AnchorStatement {
  const { signature: _s, timestamp_token: _t, ...statement } = anchor as Anchor;
  return statement;
}

export function statementBytes(anchor: AnchorStatement | Anchor): Buffer {
  return Buffer.from(canonicalJson(statementOf(anchor)), 'utf8');
}

/** The value the next anchor's `prev` holds. */
export function anchorDigest(anchor: AnchorStatement | Anchor): string {
  return createHash('sha256').update(statementBytes(anchor)).digest('hex');
}

export function signAnchor(statement: AnchorStatement, privateKey: KeyObject): Anchor {
  return { ...statement, signature: sign(null, statementBytes(statement), privateKey).toString('base64') };
}

export function signatureVerifies(anchor: Anchor, publicKey: KeyObject): boolean {
  return verify(null, statementBytes(anchor), publicKey, Buffer.from(anchor.signature, 'base64'));
}

/** What the TSA timestamps: the SHA-256 of the signature's bytes. */
export function timestampImprint(anchor: Anchor): Buffer {
  return createHash('sha256').update(Buffer.from(anchor.signature, 'base64')).digest();
}
