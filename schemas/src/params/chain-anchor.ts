// EVT_CHAIN_ANCHORED: the anchoring process signed the heads of the audit trail's hash chains (an anchor, file
// format dicomtrail.anchor/1) and publishes the anchor on the event topic, so that it leaves the database's
// reach a second way: the audit interchange forwards it to the hospital's Audit Record Repository (syslog/ATNA,
// FHIR), and the audit writer records it in the trail. The event carries the whole anchor as signed, so a copy
// that reached the repository verifies on its own (signature, seq and prev links, timestamp token) with the
// anchoring public key. Node-scoped: the node is the anchoring process (mode 'anchor'); `seq` is the anchor's
// seq minus one, so a gap in the events is a gap in the anchors.
import { type Static, Type } from '@sinclair/typebox';
import { Count, Name, Sha256Hex, Strict } from '../common.js';

const Hash = Type.String({ pattern: '^[0-9a-f]+$' });

export const AnchoredHead = Strict({
  chain_id: Name,
  position: Count,
  /** The chain's head hash, hex. */
  hash: Hash,
});

/** The retention record that accounts for a chain no longer in the database. */
export const AnchorRetentionFact = Strict({
  event_id: Type.String(),
  occurred_at: Type.String(),
  cutoff: Type.String(),
  retention_days: Count,
  partition: Type.String(),
});

export const RetiredChainHead = Strict({
  chain_id: Name,
  position: Count,
  hash: Hash,
  retention: Type.Union([AnchorRetentionFact, Type.Null()]),
});

/** An anchor exactly as the anchoring process wrote it to its directory (see the audit writer's anchor-record). */
export const ChainAnchor = Strict(
  {
    format: Type.Literal('dicomtrail.anchor/1'),
    /** 1, 2, 3, ... without gaps. */
    seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    /** The anchoring process's clock (RFC 3339 UTC, as written). */
    created_at: Type.String(),
    interval_ms: Count,
    /** "sha256:<hex of the public key's SPKI DER>". */
    key_id: Type.String({ pattern: '^sha256:[0-9a-f]{64}$' }),
    /** SHA-256 (hex) of the previous anchor's signed statement; null for seq 1. */
    prev: Type.Union([Sha256Hex, Type.Null()]),
    full: Type.Boolean(),
    heads: Type.Array(AnchoredHead),
    retired: Type.Array(RetiredChainHead),
    /** Base64 Ed25519 signature of the statement (the canonical JSON of every other field but the token). */
    signature: Type.String(),
    /** Base64 DER RFC 3161 TimeStampToken over SHA-256(signature bytes), when a TSA timestamped it. */
    timestamp_token: Type.Optional(Type.String()),
  },
  { $id: 'ChainAnchor' },
);
export type ChainAnchor = Static<typeof ChainAnchor>;

export const ChainAnchoredParams = Strict({
  anchor: ChainAnchor,
  /** The anchor's file, relative to the anchor directory. */
  file: Type.String(),
  /** SHA-256 (hex) of the signed statement: the next anchor's `prev`. */
  statement_sha256: Sha256Hex,
  /** SHA-256 (hex) of the DER timestamp token, when there is one. */
  timestamp_token_sha256: Type.Optional(Sha256Hex),
});
