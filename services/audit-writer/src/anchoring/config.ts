import { eventsTopicConfigSpec, kafkaSecurityConfigSpec } from '@dicomtrail/event-log';
import type { ConfigSpec } from '@dicomtrail/runtime';

/** The anchoring process (`dicomtrail audit anchor`) and `audit verify --anchors`. */
export const anchorConfigSpec = {
  DATABASE_URL: {
    type: 'string',
    default: 'postgres://postgres@127.0.0.1:5432/dicomtrail',
    description: 'Postgres connection string of the audit database',
  },
  AUDIT_ANCHOR_DB_ROLE: {
    type: 'string',
    default: 'dicomtrail_anchor',
    description:
      'Role the anchoring process switches to: it may read the chain heads and the retention runs, not the events; empty: the connecting user',
  },
  AUDIT_ANCHOR_KEY: {
    type: 'string',
    default: '.dicomtrail/anchor-key.pem',
    description:
      'Ed25519 private key (PKCS#8 PEM) that signs chain heads; mode 0600 or the anchoring process refuses it (dicomtrail audit anchor-keygen --out PATH)',
  },
  AUDIT_ANCHOR_PUBLIC_KEY: {
    type: 'string',
    description:
      'Public key (SPKI PEM) that `audit verify --anchors` checks signatures with (default: <AUDIT_ANCHOR_KEY>.pub)',
  },
  AUDIT_ANCHOR_DIR: {
    type: 'string',
    default: '.dicomtrail/anchors',
    description:
      'Directory the signed chain heads are written to, one file per anchor, never rewritten (keep it off the database host)',
  },
  AUDIT_ANCHOR_INTERVAL_MS: {
    type: 'int',
    default: 60000,
    min: 200,
    description:
      'How often the chain heads are signed: what an insider could rewrite unseen is at most this recent',
  },
  AUDIT_TSA_URL: {
    type: 'string',
    description:
      'RFC 3161 Time-Stamp Authority (HTTP POST); when set every anchor is also timestamped (unset: signed only)',
  },
  AUDIT_TSA_TIMEOUT_MS: {
    type: 'int',
    default: 10000,
    min: 100,
    description:
      'Time the TSA has to answer; an anchor it does not timestamp is written signed only (the next timestamped one covers it)',
  },
  AUDIT_TSA_CA_FILE: {
    type: 'string',
    description:
      "PEM of the CA certificate(s) the TSA's certificate must be issued by (checked when anchoring and by verify; unset: token signatures checked, issuer not)",
  },
  AUDIT_ANCHOR_EVENTS: {
    type: 'bool',
    default: false,
    description:
      'Also publish every anchor on the event topic (EVT_CHAIN_ANCHORED): the audit interchange forwards it to the syslog/ATNA repository and FHIR, the audit writer records it',
  },
  AUDIT_ANCHOR_NODE_ID: {
    type: 'string',
    description: 'Node id of the anchoring process in its events (default: anchor-<hostname>)',
  },
  KAFKA_BROKERS: {
    type: 'list',
    default: ['127.0.0.1:9092'],
    description: 'Kafka bootstrap brokers, comma-separated (with AUDIT_ANCHOR_EVENTS)',
  },
  ...eventsTopicConfigSpec,
  ...kafkaSecurityConfigSpec,
} satisfies ConfigSpec;
