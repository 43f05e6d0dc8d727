import { eventsTopicConfigSpec, kafkaSecurityConfigSpec } from '@dicomtrail/event-log';
import type { ConfigOf, ConfigSpec } from '@dicomtrail/runtime';

/**
 * The trace exporter's variables: TRACE_* are ours; OTEL_* are OpenTelemetry's standard names (the SDK also reads
 * OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION and their _TRACES_ forms itself).
 */
export const traceExporterConfigSpec = {
  KAFKA_BROKERS: {
    type: 'list',
    default: ['127.0.0.1:9092'],
    description: 'Kafka bootstrap brokers, comma-separated',
  },
  TRACE_EXPORTER_GROUP_ID: {
    type: 'string',
    default: 'dicomtrail-trace-exporter',
    description: 'Kafka consumer group of the trace exporter',
  },
  ...eventsTopicConfigSpec,
  ...kafkaSecurityConfigSpec,
  TRACE_KAFKA_SESSION_TIMEOUT_MS: {
    type: 'int',
    default: 30_000,
    min: 6000,
    description:
      'Kafka consumer session timeout: how long the group waits for a member that died before its partitions move on',
  },
  TRACE_INCLUDE_PHI: {
    type: 'bool',
    default: false,
    description:
      'Write identifying values as span attributes: patient id and name, accession number, study/series/SOP instance UIDs, DIMSE error comments (free text that may quote them)',
  },
  TRACE_PDU_EVENTS: {
    type: 'bool',
    default: false,
    description: 'Add every PDU sent and received as a span event of the association span',
  },
  TRACE_FSM_EVENTS: {
    type: 'bool',
    default: false,
    description: 'Add every DUL state machine transition as a span event of the association span',
  },
  TRACE_MAX_SPAN_EVENTS: {
    type: 'int',
    default: 128,
    min: 0,
    description:
      'Span events kept per span (lifecycle, PDUs, FSM, sub-operation progress); the rest are counted',
  },
  TRACE_ASSOCIATION_TIMEOUT_MS: {
    type: 'int',
    default: 600_000,
    min: 100,
    description:
      'An association without events for this long is exported as incomplete (dicom.outcome=incomplete, dicom.incomplete_reason=timeout)',
  },
  TRACE_MAX_OPEN_ASSOCIATIONS: {
    type: 'int',
    default: 50_000,
    min: 1,
    description:
      'Associations held in memory; beyond it the least recently active is exported as incomplete (evicted)',
  },
  TRACE_COMMIT_INTERVAL_MS: {
    type: 'int',
    default: 1000,
    min: 10,
    description:
      'How often spans are flushed to the backend and Kafka offsets committed (up to the oldest association not yet exported)',
  },
  TRACE_EXPORT_BATCH_SIZE: {
    type: 'int',
    default: 512,
    min: 1,
    description: 'Spans per export request; a full batch is exported at once',
  },
  TRACE_FROM_BEGINNING: {
    type: 'bool',
    default: true,
    description: 'Where a new consumer group starts: the beginning of the topic (true) or its end',
  },
  OTEL_TRACES_EXPORTER: {
    type: 'enum',
    values: ['otlp', 'zipkin', 'console'],
    default: 'otlp',
    description: 'Where spans go: OTLP http/protobuf, Zipkin /api/v2/spans, or the console.',
  },
  OTEL_SERVICE_NAME: {
    type: 'string',
    default: 'dicomtrail',
    description: 'service.name of the exported spans (Zipkin: the service to search for)',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    type: 'string',
    pattern: /^https?:\/\/\S+$/,
    description: 'OTLP/HTTP base URL; traces go to <endpoint>/v1/traces (unset: http://localhost:4318)',
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    type: 'string',
    pattern: /^https?:\/\/\S+$/,
    description: 'Full OTLP/HTTP traces URL; overrides OTEL_EXPORTER_OTLP_ENDPOINT',
  },
  OTEL_EXPORTER_OTLP_CERTIFICATE: {
    type: 'string',
    description:
      "PEM file of the CA certificate(s) that sign an https OTLP endpoint's certificate (unset: the system's CAs)",
  },
  OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: {
    type: 'string',
    description:
      'PEM file of our client certificate for an OTLP endpoint that requires one (with _CLIENT_KEY)',
  },
  OTEL_EXPORTER_OTLP_CLIENT_KEY: {
    type: 'string',
    description:
      'PEM file of the private key of OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE; refused unless mode 0600 or stricter',
  },
  OTEL_EXPORTER_ZIPKIN_ENDPOINT: {
    type: 'string',
    default: 'http://localhost:9411/api/v2/spans',
    pattern: /^https?:\/\/\S+$/,
    description: 'Zipkin span intake URL (OTEL_TRACES_EXPORTER=zipkin)',
  },
} satisfies ConfigSpec;

export type TraceExporterConfig = ConfigOf<typeof traceExporterConfigSpec>;
