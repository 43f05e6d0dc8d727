/**
 * A record a consumer cannot process, as it goes to the dead-letter topic: the original bytes and key unchanged,
 * the original headers kept, plus where it came from and why (header `dlq-reason` and `dlq-source`).
 */
import type { ConsumedRecord } from './consumer.js';
import type { EventRecord } from './producer.js';
import { HEADER_DLQ_REASON, HEADER_DLQ_SOURCE } from './topics.js';

export function deadLetterOf(record: ConsumedRecord, reason: string): EventRecord {
  return {
    key: record.key ?? '',
    value: record.value ?? Buffer.alloc(0),
    headers: {
      ...record.headers,
      [HEADER_DLQ_REASON]: reason,
      [HEADER_DLQ_SOURCE]: `${record.topic}/${record.partition}/${record.offset}`,
    },
  };
}
