import { eventsTopicConfigSpec } from '@dicomtrail/event-log';
import type { ConfigSpec } from '@dicomtrail/runtime';

export const auditWriterConfigSpec = {
  KAFKA_BROKERS: {
    type: 'list',
    default: ['127.0.0.1:9092'],
    description: 'Kafka bootstrap brokers, comma-separated',
  },
  DATABASE_URL: {
    type: 'string',
    default: 'postgres://postgres@127.0.0.1:5432/dicomtrail',
    description: 'Postgres connection string of the audit database',
  },
  AUDIT_WRITER_GROUP_ID: {
    type: 'string',
    default: 'dicomtrail-audit-writer',
    description: 'Kafka consumer group of the audit writer',
  },
  ...eventsTopicConfigSpec,
} satisfies ConfigSpec;
