/**
 * A consumed record → the validated event, or the reason it cannot be processed (for the dead-letter topic).
 * Consumers validate on consume as producers do on produce (shared/design/ARCHITECTURE.md): a record that is not
 * JSON, has an unknown schema major or fails the schema is never half-processed.
 */
import { type DicomtrailEvent, parseEvent } from '@dicomtrail/schemas';
import type { ConsumedRecord } from './consumer.js';

export type DecodedRecord =
  | { ok: true; event: DicomtrailEvent }
  | {
      ok: false;
      /** `empty`, `not_json`, or parseEvent's code (`unknown_schema_major`, `unknown_type`, `invalid_event`, …). */
      code: string;
      /** One line a person can act on, e.g. `invalid_event: /params/status: Expected integer`. */
      reason: string;
    };

const MAX_ISSUES_IN_REASON = 5;

export function decodeRecord(record: Pick<ConsumedRecord, 'value'>): DecodedRecord {
  if (!record.value || record.value.length === 0)
    return { ok: false, code: 'empty', reason: 'empty: no value' };
  let json: unknown;
  try {
    json = JSON.parse(record.value.toString('utf8'));
  } catch (err) {
    return { ok: false, code: 'not_json', reason: `not_json: ${(err as Error).message}` };
  }
  const parsed = parseEvent(json);
  if (parsed.ok) return parsed;
  const issues = parsed.errors
    .slice(0, MAX_ISSUES_IN_REASON)
    .map((e) => `${e.path || '/'}: ${e.message}`)
    .join('; ');
  return { ok: false, code: parsed.code, reason: `${parsed.code}: ${issues}` };
}
