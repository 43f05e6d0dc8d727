/**
 * A record read back from the write-ahead log (spool.ts) as the Kafka record of its envelope: the key it was
 * written with, the envelope's bytes as they are, and the `type` and `schema` headers taken from the envelope.
 */
import { type EventRecord, HEADER_SCHEMA, HEADER_TYPE } from '@dicomtrail/event-log';

export interface LogRecord {
  record: EventRecord;
  envelope: Record<string, unknown>;
}

/** Undefined when the payload is not an event envelope (not JSON, or no `type` and `schema`). */
export function recordFromLog(key: string, payload: Buffer): LogRecord | undefined {
  const envelope = parseEnvelope(payload);
  if (!envelope || typeof envelope['type'] !== 'string' || envelope['schema'] === undefined) return undefined;
  return {
    record: {
      key,
      value: payload,
      headers: { [HEADER_TYPE]: envelope['type'], [HEADER_SCHEMA]: String(envelope['schema']) },
    },
    envelope,
  };
}

export function parseEnvelope(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(payload.toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
