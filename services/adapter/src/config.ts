import { eventsTopicConfigSpec, kafkaSecurityConfigSpec } from '@dicomtrail/event-log';
import type { ConfigSpec } from '@dicomtrail/runtime';
import { EVENT_TYPES } from '@dicomtrail/schemas';
import { dicomTlsConfigSpec } from './tls/tls-config.js';

/** The adapter's environment variables (docs/configuration.md is generated from here). */
export const adapterConfigSpec = {
  DICOM_HOST: { type: 'string', default: '127.0.0.1', description: 'Address the DICOM listener binds to' },
  DICOM_PORT: { type: 'int', default: 11112, min: 0, max: 65535, description: 'DICOM listener port' },
  DICOM_AE_TITLE: {
    type: 'string',
    default: 'DICOMTRAIL',
    pattern: /^[^\\]{1,16}$/,
    description: 'Our AE title (1-16 characters)',
  },
  DICOM_REQUIRE_CALLED_AE: {
    type: 'bool',
    default: true,
    description: 'Reject associations whose called AE title is not ours (A-ASSOCIATE-RJ reason 7)',
  },
  DICOM_ALLOWED_CALLING_AE: {
    type: 'list',
    default: [],
    description: 'When set, only these calling AE titles are accepted (reason 3); empty accepts all',
  },
  ...dicomTlsConfigSpec,
  DICOM_MAX_PDU: {
    type: 'int',
    default: 65536,
    min: 4096,
    max: 0xffffffff,
    description: 'Our Maximum Length Received (bytes); in proxy mode, the bound of PROXY_MAX_PDU_OFFER',
  },
  DICOM_MAX_ASSOCIATIONS: {
    type: 'int',
    default: 64,
    min: 1,
    description: 'Concurrent associations before rejecting (transient, local limit)',
  },
  DICOM_USERS_FILE: {
    type: 'string',
    description:
      'Users a peer may present as User Identity type 1 (username) or 2 (username and passcode), with scrypt hashes; written by `dicomtrail users add`; must be mode 0600. Unset: identities are accepted and recorded as not checked',
  },
  DICOM_JWT_KEYS_FILE: {
    type: 'string',
    description:
      'Public keys (a JWKS, a JWK, or PEM public keys or certificates) that verify User Identity type 5 (JWT) tokens: RS/PS/ES 256-512 or EdDSA signatures',
  },
  DICOM_JWT_ISSUER: { type: 'string', description: 'When set, a JWT identity must carry this iss' },
  DICOM_JWT_AUDIENCE: { type: 'string', description: 'When set, a JWT identity must list this in aud' },
  DICOM_JWT_CLOCK_SKEW_S: {
    type: 'int',
    default: 60,
    min: 0,
    max: 600,
    description: "Clock skew allowed when checking a JWT identity's exp and nbf (seconds)",
  },
  DICOM_REQUIRE_USER_IDENTITY: {
    type: 'bool',
    default: false,
    description:
      'Refuse associations that carry no User Identity (A-ASSOCIATE-RJ, permanent, no reason given); with an identity file configured, every identity is checked either way',
  },
  DICOM_MAX_ASSOCIATIONS_PER_ADDRESS: {
    type: 'int',
    default: 32,
    min: 1,
    description:
      'Concurrent associations from one remote address before rejecting (transient, local limit); only associations that sent their A-ASSOCIATE-RQ count, here and in DICOM_MAX_ASSOCIATIONS',
  },
  DICOM_MAX_CONNECTIONS: {
    type: 'int',
    default: 512,
    min: 1,
    description:
      'Open TCP connections at most, associated or not (silent ones count until DICOM_ARTIM_TIMEOUT_MS closes them); a connection past it is closed at once',
  },
  DICOM_ARTIM_TIMEOUT_MS: {
    type: 'int',
    default: 30000,
    min: 100,
    description:
      'ARTIM timer (PS3.8 §9.1.5): also how long a connection may stay open without sending its A-ASSOCIATE-RQ',
  },
  DICOM_IDLE_TIMEOUT_MS: {
    type: 'int',
    default: 300000,
    min: 0,
    description:
      'An established association with no PDU either way for this long is aborted (EVT_ABORTED says so); 0: never',
  },
  DICOM_WRITE_TIMEOUT_MS: {
    type: 'int',
    default: 60000,
    min: 100,
    description: 'A peer that does not read what we send for this long has its association aborted',
  },
  DICOM_MAX_PENDING_REQUESTS: {
    type: 'int',
    default: 16,
    min: 1,
    description:
      'Unanswered requests per association; past it the socket is not read until one is answered (back-pressure)',
  },
  DICOM_MAX_INSTANCE_BYTES: {
    type: 'int',
    default: 4294967296,
    min: 1024,
    description:
      "A C-STORE data set longer than this is refused with A700 (out of resources) and not written; in proxy mode, where it is passed on as it arrives, the modality's association is aborted",
  },
  DICOM_STORE_WRITEBACK_BYTES: {
    type: 'int',
    default: 8388608,
    min: 0,
    description:
      "A C-STORE data set streamed to disk is fdatasync'd in the background every this many bytes, so its pages are written back while it arrives and an answer's sync of the event log does not wait behind them (0: the kernel's own write-back only)",
  },
  DICOM_STORE_DIR: {
    type: 'string',
    default: '.dicomtrail/store',
    description: 'Where received instances are written (Part 10)',
  },
  ARCHIVE_INDEX_DIR: {
    type: 'string',
    description: 'Archive index journal and MPPS steps (default: <DICOM_STORE_DIR>/.archive)',
  },
  ARCHIVE_MAX_BYTES: {
    type: 'int',
    default: 0,
    min: 0,
    description:
      'Bytes the archive store may hold; a C-STORE that would pass it is refused with A700 (out of resources); 0: no limit',
  },
  ARCHIVE_MAX_MPPS_STEPS: {
    type: 'int',
    default: 10000,
    min: 1,
    description: 'MPPS steps kept; an N-CREATE past it is refused with 0213 (resource limitation)',
  },
  ARCHIVE_MOVE_DESTINATIONS: {
    type: 'list',
    default: [],
    description:
      'C-MOVE destinations (and where storage commitment reports go once the requestor has released): AE=host:port, or AE=tls://host:port[?ca=FILE&cert=FILE&key=FILE&servername=NAME] for DICOM TLS (docs/security.md), comma-separated',
  },
  WORKLIST_DIR: {
    type: 'string',
    description:
      'Folder of Modality Worklist items (*.json as DICOM JSON, other files as Part 10); unset: no worklist SOP class',
  },
  PROXY_UPSTREAM: {
    type: 'string',
    description:
      'Audit proxy mode: the upstream SCP every association is relayed to, [UPSTREAM_AE@]host:port (without an AE title the called one passes through), or tls://[UPSTREAM_AE@]host:port[?ca=FILE&cert=FILE&key=FILE&servername=NAME] for DICOM TLS to it (docs/security.md); unset with PROXY_ROUTES empty: the adapter is the SCP itself',
  },
  PROXY_ROUTES: {
    type: 'list',
    default: [],
    description:
      'Audit proxy mode: upstreams per called AE title, CALLED_AE=[UPSTREAM_AE@]host:port or CALLED_AE=tls://[UPSTREAM_AE@]host:port[?...] (as PROXY_UPSTREAM), comma-separated (before PROXY_UPSTREAM; a called AE title with no route is rejected, reason 7)',
  },
  PROXY_CONNECT_TIMEOUT_MS: {
    type: 'int',
    default: 10000,
    min: 100,
    description:
      'Audit proxy mode: time the upstream has to accept the connection before the association is rejected (transient)',
  },
  PROXY_MAX_PDU_OFFER: {
    type: 'enum',
    values: ['peer', 'own'],
    default: 'peer',
    description:
      "Audit proxy mode: the Maximum Length Received the proxy offers each side. peer: the other side's own (the PACS's in the modality's A-ASSOCIATE-AC, the modality's in the PACS's A-ASSOCIATE-RQ), bounded by DICOM_MAX_PDU (0, unlimited, counts as DICOM_MAX_PDU), so both legs use one PDU size and P-DATA fragments pass through unchanged. own: DICOM_MAX_PDU on both sides (fragments are re-cut wherever the peers' maximums differ)",
  },
  BULK_DATA_THRESHOLD: {
    type: 'int',
    default: 1024,
    min: 0,
    description: 'Binary values longer than this are elided from events to {length, sha256}',
  },
  EVENT_VALUE_MAX_BYTES: {
    type: 'int',
    default: 65536,
    min: 64,
    description:
      'Values of any VR (sequences included) longer than this are elided from events to {length, sha256}, as binary values are past BULK_DATA_THRESHOLD',
  },
  EVENTS_OUT: { type: 'string', description: 'Also write every event envelope as JSON lines to this file' },
  EVENT_TYPES: {
    type: 'list',
    default: [],
    description: `Event types to record, comma-separated (empty: all ${EVENT_TYPES.length})`,
  },
  SHUTDOWN_GRACE_MS: {
    type: 'int',
    default: 10000,
    min: 0,
    description: 'On SIGTERM: time given to open associations before they are aborted',
  },
  NODE_ID: { type: 'string', description: 'Adapter instance id in events (default: hostname)' },
  KAFKA_BROKERS: {
    type: 'list',
    default: [],
    description: 'Kafka bootstrap brokers, comma-separated; when set, every event is published (empty: off)',
  },
  ...eventsTopicConfigSpec,
  ...kafkaSecurityConfigSpec,
  KAFKA_MAX_QUEUE: {
    type: 'int',
    default: 100000,
    min: 1,
    description:
      'Events held in memory while Kafka is slow; beyond it they go to the spool (without one: dropped, counted)',
  },
  KAFKA_LINGER_MS: {
    type: 'int',
    min: 0,
    max: 1000,
    description:
      'How long the first queued event waits for company before its batch is sent (ms). Unset: 50 with AUDIT_DURABILITY=sync (the events already are in the write-ahead log while they wait, and fuller batches cost the producer thread less per event), 10 with async (they wait in memory only)',
  },
  KAFKA_BATCH_MAX: {
    type: 'int',
    default: 500,
    min: 1,
    max: 10000,
    description: 'Events per batch sent to Kafka at most',
  },
  KAFKA_CLIENT: {
    type: 'enum',
    values: ['platformatic', 'kafkajs'],
    default: 'platformatic',
    description:
      'Kafka client of the publisher: @platformatic/kafka (measured 2.5-3x kafkajs here) or kafkajs; both idempotent, acks=all, murmur2',
  },
  KAFKA_COMPRESSION: {
    type: 'enum',
    values: ['gzip', 'none'],
    default: 'none',
    description:
      "Compression of the batches sent to Kafka by the adapter: none (no compression work next to the DICOM service: ~30 µs of adapter CPU per event less than gzip, measured in bench/event-cpu.bench.ts) or gzip (~6x smaller on the wire and, unless the topic says otherwise, on the broker). With none, a site that wants the topic stored compressed sets the topic's compression.type (e.g. gzip) on the broker, which then compresses instead of the adapter.",
  },
  KAFKA_PRODUCER_THREAD: {
    type: 'bool',
    default: true,
    description:
      'Run the Kafka client in a worker thread, and with AUDIT_DURABILITY=async build the envelopes (C-STORE header decode) in another, off the thread that serves DICOM; false: both on it. With sync the envelopes are built on the DICOM thread, where the answer that waits for them is',
  },
  KAFKA_THREAD_NICE: {
    type: 'int',
    default: 10,
    min: 0,
    max: 19,
    description:
      "Linux nice value of those worker threads (0 = the DICOM thread's priority, 19 = lowest): when the CPUs are busy the scheduler serves DICOM first and the audit pipeline catches up after (nothing is lost: events queue, then spool).",
  },
  SPOOL_DIR: {
    type: 'string',
    default: '.dicomtrail/spool',
    description: 'Durable event spool used while Kafka is unreachable or slow (with KAFKA_BROKERS)',
  },
  SPOOL_MAX_BYTES: {
    type: 'int',
    default: 1073741824,
    min: 1048576,
    description: 'Spool size limit in bytes; AUDIT_POLICY applies from 90% of it',
  },
  SPOOL_PREALLOCATE: {
    type: 'bool',
    default: true,
    description:
      "AUDIT_DURABILITY=sync: the write-ahead log's segments are zeroed on disk ahead of need (one spare segment of 16 MiB), so that an fdatasync overwrites blocks instead of growing the file and commits no file-system metadata (on ext4 about a third of the cost of a sync that grows the file). Off for file systems that never overwrite in place (btrfs, ZFS), where it only doubles the writes",
  },
  AUDIT_DURABILITY: {
    type: 'enum',
    values: ['sync', 'async'],
    default: 'sync',
    description:
      'sync: every event goes through the write-ahead log in SPOOL_DIR (written and synced with fdatasync when an answer needs them, one sync for every association waiting) and a DIMSE response, A-ASSOCIATE-AC or A-RELEASE-RP is sent only once its events are durable; Kafka is fed from the log. async: events wait in memory for Kafka and only an outage spools them, so a crash loses what was queued (faster, for sites that choose speed over the guarantee)',
  },
  AUDIT_POLICY: {
    type: 'enum',
    values: ['fail-closed', 'fail-open'],
    default: 'fail-closed',
    description:
      'Spool full or failing: fail-closed rejects new associations (transient, local limit exceeded) and, with AUDIT_DURABILITY=sync, aborts an association whose events cannot be written; fail-open serves them and counts what is not recorded.',
  },
  HEALTH_PORT: {
    type: 'int',
    default: 0,
    min: 0,
    max: 65535,
    description: 'HTTP port on 127.0.0.1 for /healthz and /metrics (JSON); 0: off',
  },
} satisfies ConfigSpec;
