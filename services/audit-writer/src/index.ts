// @dicomtrail/audit-writer: Kafka → the audit trail in Postgres.

export { readAnchorFiles, writeAnchorFile } from './anchoring/anchor-directory.js';
export { type AnchorNode, anchorEventId, chainAnchoredEvent } from './anchoring/anchor-event.js';
export { generateAnchorKey, loadAnchorPublicKey, loadAnchorSigningKey } from './anchoring/anchor-key.js';
export { AnchorPublisher } from './anchoring/anchor-publisher.js';
export {
  ANCHOR_FORMAT,
  type Anchor,
  anchorDigest,
  signAnchor,
  signatureVerifies,
} from './anchoring/anchor-record.js';
export { describeAnchoredReport, verifyWithAnchors } from './anchoring/anchor-verify.js';
export { Anchorer } from './anchoring/anchorer.js';
export { type BatchInput, type BatchResult, writeBatch } from './batch-writer.js';
export { canonicalJson } from './canonical-json.js';
export { auditWriterConfigSpec } from './config.js';
export { type AuditWriter, type AuditWriterOptions, startAuditWriter, triage } from './consumer-loop.js';
export { contentOf, type EventContent, type EventRow } from './event-row.js';
export { genesisHash, link, rowHash } from './hash-chain.js';
export { LOGIN_ROLES, loginUrl } from './login-roles.js';
export { type RebuildReport, rebuildProjections } from './rebuild.js';
export { type RetentionReport, runRetention } from './retention.js';
export { type BrokenLink, describeBroken, type VerifyReport, verifyTrail } from './verify.js';
