import { eventsTopicConfigSpec } from '@dicomtrail/event-log';
import type { ConfigOf, ConfigSpec } from '@dicomtrail/runtime';

/**
 * The audit interchange's variables: where the audit messages go (ATNA syslog over TLS or UDP, FHIR AuditEvent
 * to a server or to NDJSON files; at least one), who the audit source is, and how the consumer runs.
 */
export const auditInterchangeConfigSpec = {
  KAFKA_BROKERS: {
    type: 'list',
    default: ['127.0.0.1:9092'],
    description: 'Kafka bootstrap brokers, comma-separated',
  },
  AUDIT_INTERCHANGE_GROUP_ID: {
    type: 'string',
    default: 'dicomtrail-audit-interchange',
    description: 'Kafka consumer group of the audit interchange',
  },
  ...eventsTopicConfigSpec,
  AUDIT_INTERCHANGE_FROM_BEGINNING: {
    type: 'bool',
    default: true,
    description: 'Where a new consumer group starts: the beginning of the topic (true) or its end',
  },
  AUDIT_KAFKA_SESSION_TIMEOUT_MS: {
    type: 'int',
    default: 30_000,
    min: 6000,
    description: 'Kafka consumer session timeout of the audit interchange',
  },
  AUDIT_SOURCE_ID: {
    type: 'string',
    description: 'AuditSourceID of every message (unset: the adapter node id of the event)',
  },
  AUDIT_ENTERPRISE_SITE_ID: {
    type: 'string',
    description: 'AuditEnterpriseSiteID of every message (the hospital or site), when set',
  },
  AUDIT_INCLUDE_PATIENT_NAME: {
    type: 'bool',
    default: false,
    description:
      'Put patient names in the messages (ParticipantObjectName, AuditEvent entity name); patient ids are always there',
  },
  AUDIT_SYSLOG_TRANSPORT: {
    type: 'enum',
    values: ['none', 'tls', 'udp'],
    default: 'none',
    description: 'ATNA audit messages over syslog: TLS (RFC 5425), UDP (RFC 5426), or none',
  },
  AUDIT_SYSLOG_HOST: {
    type: 'string',
    default: '127.0.0.1',
    description: 'The Audit Record Repository (syslog receiver) host',
  },
  AUDIT_SYSLOG_PORT: {
    type: 'int',
    default: 0,
    min: 0,
    max: 65535,
    description: 'Its port (0: 6514 for TLS, 514 for UDP)',
  },
  AUDIT_SYSLOG_CA_FILE: {
    type: 'string',
    description: "PEM file of the CA(s) that signed the repository's certificate (TLS; required)",
  },
  AUDIT_SYSLOG_CERT_FILE: {
    type: 'string',
    description: 'PEM file of our client certificate (TLS mutual authentication)',
  },
  AUDIT_SYSLOG_KEY_FILE: {
    type: 'string',
    description: 'PEM file of its private key (refused when readable by group or others)',
  },
  AUDIT_SYSLOG_SERVERNAME: {
    type: 'string',
    description: "The name the repository's certificate must carry (unset: AUDIT_SYSLOG_HOST)",
  },
  AUDIT_SYSLOG_CONFIRM_MS: {
    type: 'int',
    default: 1000,
    min: 10,
    description:
      'TLS: a message counts as delivered once the connection it was written on stayed up this long after it (offsets commit after)',
  },
  AUDIT_SYSLOG_HOSTNAME: {
    type: 'string',
    description: 'HOSTNAME field of the syslog header (unset: this machine)',
  },
  AUDIT_SYSLOG_APP_NAME: {
    type: 'string',
    default: 'dicomtrail',
    description: 'APP-NAME field of the syslog header',
  },
  AUDIT_FHIR_URL: {
    type: 'string',
    pattern: /^https?:\/\/\S+$/,
    description: 'FHIR R4 server base URL: AuditEvents are POSTed there as transaction Bundles (PUT by id)',
  },
  AUDIT_FHIR_AUTHORIZATION: {
    type: 'string',
    description: 'Authorization header value for the FHIR server (a secret: never logged)',
  },
  AUDIT_FHIR_TIMEOUT_MS: {
    type: 'int',
    default: 10_000,
    min: 100,
    description: 'Time allowed for one FHIR transaction before it is retried',
  },
  AUDIT_FHIR_DEAD_LETTER_DIR: {
    type: 'string',
    default: '.dicomtrail/fhir-dead-letters',
    description:
      'Folder (0700) where AuditEvents the FHIR server refuses with a 4xx about the resource are kept with its OperationOutcome (fhir-dead-letters-<day>.ndjson, 0600)',
  },
  AUDIT_FHIR_NDJSON_DIR: {
    type: 'string',
    description: 'Folder for AuditEvent NDJSON files (auditevent-<day>.ndjson, 0600), when set',
  },
  AUDIT_ASSOCIATION_TIMEOUT_MS: {
    type: 'int',
    default: 600_000,
    min: 100,
    description: 'An association without events for this long gives its messages with what it has',
  },
  AUDIT_MAX_OPEN_ASSOCIATIONS: {
    type: 'int',
    default: 50_000,
    min: 1,
    description: 'Associations held in memory; beyond it the least recently active gives its messages',
  },
  AUDIT_MAX_PENDING: {
    type: 'int',
    default: 20_000,
    min: 1,
    description: 'Messages a destination may hold undelivered before the consumer waits',
  },
  AUDIT_COMMIT_INTERVAL_MS: {
    type: 'int',
    default: 1000,
    min: 10,
    description: 'How often delivered positions are committed to Kafka',
  },
} satisfies ConfigSpec;

export type AuditInterchangeConfig = ConfigOf<typeof auditInterchangeConfigSpec>;
