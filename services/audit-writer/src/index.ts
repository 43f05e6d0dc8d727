// @dicomtrail/audit-writer: Kafka → the audit trail in Postgres.
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
