/**
 * "Audit Log Used" (DICOM 110101): every read of the trail through the console becomes an EVT_AUDIT_LOG_USED
 * event, built here (pure: clock, ids and seq passed in) and validated against the schema before it is sent.
 */
import { assertEvent, type DicomtrailEvent, SCHEMA_ID, uuidv7 } from '@dicomtrail/schemas';
import type { ConsoleUser } from './accounts.js';

export interface AuditLogRead {
  user: ConsoleUser;
  clientAddress: string;
  page: string;
  path: string;
  parameters: Record<string, string>;
  resultCount?: number;
}

export interface ConsoleNode {
  id: string;
  hostname: string;
  version: string;
}

export function micros(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Query parameters as recorded: strings only, empty ones left out. */
export function recordedParameters(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (k === 'csrf') continue;
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

export function auditLogUsedEvent(
  read: AuditLogRead,
  o: { node: ConsoleNode; seq: number; now: Date; traceId: string; spanId: string },
): DicomtrailEvent {
  return assertEvent({
    schema: SCHEMA_ID,
    id: uuidv7(o.now.getTime()),
    type: 'EVT_AUDIT_LOG_USED',
    kind: 'notification',
    timestamp: micros(o.now),
    seq: o.seq,
    node: { ...o.node, mode: 'console' },
    params: {
      user: { username: read.user.username, role: read.user.role },
      client_address: read.clientAddress,
      query: { page: read.page, parameters: read.parameters, path: read.path },
      phi_shown: read.user.role === 'auditor',
      ...(read.resultCount === undefined ? {} : { result_count: read.resultCount }),
    },
    trace: { trace_id: o.traceId, span_id: o.spanId },
  });
}
