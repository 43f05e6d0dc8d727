// Deterministic W3C Trace Context ids, so that re-exporting after a replay yields the same spans.
// trace id = first 16 bytes of sha256('dicomtrail.trace:' + association id)
// association span id = first 8 bytes of sha256('dicomtrail.span:' + association id)
// operation span id = first 8 bytes of sha256('dicomtrail.span:' + association id + ':' + service + ':' + message id)
// An all-zero id is invalid in W3C Trace Context; the (astronomically unlikely) zero id is mapped to ...01.
import { hash } from 'node:crypto';

function digestHex(input: string, bytes: number): string {
  // crypto.hash: one call, no Hash object (an id per operation and per association, on the DICOM thread).
  const hex = hash('sha256', input, 'hex').slice(0, bytes * 2);
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}

/** 32 lowercase hex digits. */
export function associationTraceId(associationId: string): string {
  return digestHex(`dicomtrail.trace:${associationId}`, 16);
}

/** 16 lowercase hex digits: the root span of the association. */
export function associationSpanId(associationId: string): string {
  return digestHex(`dicomtrail.span:${associationId}`, 8);
}

/** 16 lowercase hex digits: the span of one DIMSE operation, e.g. ('…', 7, 'C-STORE'). */
export function operationSpanId(associationId: string, messageId: number, service: string): string {
  return digestHex(`dicomtrail.span:${associationId}:${service}:${messageId}`, 8);
}
