import { eventsTopicConfigSpec, kafkaSecurityConfigSpec } from '@dicomtrail/event-log';
import type { ConfigSpec } from '@dicomtrail/runtime';
import { INSERT_METHODS } from './event-insert.js';

export const auditWriterConfigSpec = {
  KAFKA_BROKERS: {
    type: 'list',
    default: ['127.0.0.1:9092'],
    description: 'Kafka bootstrap brokers, comma-separated',
  },
  DATABASE_URL: {
    type: 'string',
    default: 'postgres://postgres@127.0.0.1:5432/dicomtrail',
    description:
      'Postgres connection string of the audit database; TLS with sslmode=verify-full&sslrootcert=CA.pem (and sslcert/sslkey for a client certificate; the key 0600)',
  },
  AUDIT_WRITER_GROUP_ID: {
    type: 'string',
    default: 'dicomtrail-audit-writer',
    description: 'Kafka consumer group of the audit writer',
  },
  AUDIT_WRITER_DATABASE_URL: {
    type: 'string',
    description:
      "The audit writer's own login (role dicomtrail_audit_writer: INSERT only; a superuser is refused). Unset: DATABASE_URL with user dicomtrail_audit_writer and no password",
  },
  AUDIT_RETENTION_DATABASE_URL: {
    type: 'string',
    description:
      "The retention job's own login (role dicomtrail_retention). Unset: DATABASE_URL with user dicomtrail_retention and no password",
  },
  AUDIT_WRITER_BATCH_BYTES: {
    type: 'int',
    default: 4194304,
    min: 65536,
    description: 'Bytes fetched per Kafka partition and request (compressed)',
  },
  AUDIT_WRITER_MAX_BATCH_EVENTS: {
    type: 'int',
    default: 5000,
    min: 1,
    description:
      'Most events written in one transaction (a larger Kafka fetch is split); 5000 measured fastest (npm run bench)',
  },
  AUDIT_WRITER_INSERT_METHOD: {
    type: 'enum',
    values: INSERT_METHODS,
    default: 'copy',
    description:
      'How rows go into audit.events: COPY FROM STDIN (text format) or one multi-row INSERT from json_to_recordset; copy measured faster (docs/benchmarks.md).',
  },
  AUDIT_WRITER_CONCURRENCY: {
    type: 'int',
    default: 3,
    min: 1,
    max: 16,
    description:
      "Kafka partitions written at the same time (one transaction and connection each); default: the topic's 3",
  },
  AUDIT_WRITER_SESSION_TIMEOUT_MS: {
    type: 'int',
    default: 30000,
    min: 6000,
    description: 'Kafka session timeout: how long a dead writer holds its partitions before a rebalance',
  },
  AUDIT_PARTITIONS_AHEAD: {
    type: 'int',
    default: 3,
    min: 1,
    max: 24,
    description: 'Monthly partitions of audit.events kept created ahead of the current month',
  },
  AUDIT_RETENTION_DAYS: {
    type: 'int',
    default: 2557,
    min: 1,
    description:
      '`dicomtrail audit retention` drops monthly partitions that end before now minus this many days',
  },
  AUDIT_RETENTION_MIN_DAYS: {
    type: 'int',
    default: 2190,
    min: 1,
    description:
      'Retention refuses an AUDIT_RETENTION_DAYS below this floor (6 years: HIPAA keeps documentation six years); the database enforces its own floor, audit.retention_policy.min_days (2190)',
  },
  ...eventsTopicConfigSpec,
  ...kafkaSecurityConfigSpec,
} satisfies ConfigSpec;
