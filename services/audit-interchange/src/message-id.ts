/**
 * The stable id of an audit message: a name-based UUID (RFC 9562 version 8, sha256 of the names) of the
 * association (or node event) id, the message kind and what distinguishes it within the association (study,
 * outcome, patient, ...). A replay of the same events yields the same ids: the idempotency key for the FHIR
 * server (PUT AuditEvent/<id>) and the dedupe key of a syslog receiver.
 */
import { createHash } from 'node:crypto';

export function stableMessageId(...names: readonly (string | number)[]): string {
  const h = createHash('sha256').update(names.map(String).join('\u0000')).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80; // version 8
  h[8] = ((h[8] as number) & 0x3f) | 0x80; // variant 10
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
