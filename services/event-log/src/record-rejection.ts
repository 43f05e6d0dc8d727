/**
 * Kafka errors about a record itself, which no retry can cure: the broker refuses it as too large
 * (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE) or invalid (INVALID_RECORD, CORRUPT_MESSAGE). Every other error
 * (an unreachable broker, a leader election, a permission) is about the path, and sending again is right.
 * Both clients are read: @platformatic/kafka nests a ProtocolError (`apiId`) under MultipleErrors/ResponseError,
 * kafkajs throws a KafkaJSProtocolError (`type`); a producer thread's error carries the verdict (`rejected`).
 */
const RECORD_ERRORS: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/** The Kafka error name when `err` says a record of the batch can never be accepted; undefined otherwise. */
export function recordRejection(err: unknown, depth = 0): string | undefined {
  if (err === null || typeof err !== 'object' || depth > 6) return undefined;
  const e = err as { rejected?: unknown; apiId?: unknown; type?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.rejected === 'string') return e.rejected;
  for (const name of [e.apiId, e.type]) if (typeof name === 'string' && RECORD_ERRORS.has(name)) return name;
  if (Array.isArray(e.errors))
    for (const inner of e.errors) {
      const found = recordRejection(inner, depth + 1);
      if (found) return found;
    }
  return recordRejection(e.cause, depth + 1);
}
