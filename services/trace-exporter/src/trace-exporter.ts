/**
 * The service: consume the event topic, fold events into association records, export each association's spans
 * when it ends (or times out), and commit Kafka offsets only up to the oldest association not yet exported, after
 * the exporter confirmed everything before it. Handler work and the periodic checkpoint run one at a time.
 */
import {
  Checkpointer,
  checkKafkaTls,
  createEventConsumer,
  createKafka,
  decodeRecord,
  type EventConsumer,
  ensureTopics,
  type KafkaSecurity,
  kafkaSecurityFromConfig,
  OffsetTracker,
} from '@dicomtrail/event-log';
import { type Logger, readKeyFile, readPublicFile } from '@dicomtrail/runtime';
import type { AssociationEvent } from './association-record.js';
import { AssociationTracker, type ClosedAssociation } from './association-tracker.js';
import type { TraceExporterConfig } from './config.js';
import { type OtlpTls, SpanSink, type SpanSinkOptions } from './otel-exporter.js';
import { buildSpans } from './span-model.js';

export interface TraceExporterStats {
  events: number;
  undecodable: number;
  associationsExported: number;
  associationsIncomplete: number;
  openAssociations: number;
  spansExported: number;
  exportRequests: number;
  failedExportAttempts: number;
  commits: number;
  duplicates: number;
  lateEvents: number;
  replayedTails: number;
}

export interface TraceExporter {
  stats(): TraceExporterStats;
  /** Resolves when every event read so far up to `offsetsRead` per partition is exported and committed. */
  checkpoint(): Promise<void>;
  /** Flushes and commits what is exported; open associations stay uncommitted and are re-read on restart. */
  stop(): Promise<void>;
}

export interface TraceExporterOptions {
  /** A SpanExporter instead of the one OTEL_TRACES_EXPORTER names (tests, benchmarks). */
  spanExporter?: SpanSinkOptions['spanExporter'];
  /** Reported as service.version. */
  version?: string;
  /** Read from the config (KAFKA_SSL_*, KAFKA_SASL_*, OTEL_EXPORTER_OTLP_*) when not given. */
  kafkaSecurity?: KafkaSecurity;
  otlpTls?: OtlpTls | undefined;
}

function otlpTracesUrl(config: TraceExporterConfig): string | undefined {
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT)
    return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

/** OTEL_EXPORTER_OTLP_CERTIFICATE, _CLIENT_CERTIFICATE and _CLIENT_KEY read (the key checked like every key file). */
export function otlpTlsFromConfig(config: TraceExporterConfig): OtlpTls | undefined {
  const ca = config.OTEL_EXPORTER_OTLP_CERTIFICATE;
  const cert = config.OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE;
  const key = config.OTEL_EXPORTER_OTLP_CLIENT_KEY;
  if (ca === undefined && cert === undefined && key === undefined) return undefined;
  return {
    ...(ca !== undefined ? { ca: readPublicFile(ca, 'OTEL_EXPORTER_OTLP_CERTIFICATE') } : {}),
    ...(cert !== undefined ? { cert: readPublicFile(cert, 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE') } : {}),
    ...(key !== undefined ? { key: readKeyFile(key, 'OTEL_EXPORTER_OTLP_CLIENT_KEY') } : {}),
  };
}

export async function startTraceExporter(
  config: TraceExporterConfig,
  log: Logger,
  options: TraceExporterOptions = {},
): Promise<TraceExporter> {
  const offsets = new OffsetTracker();
  const tracker = new AssociationTracker(
    {
      pduEvents: config.TRACE_PDU_EVENTS,
      fsmEvents: config.TRACE_FSM_EVENTS,
      maxSpanEvents: config.TRACE_MAX_SPAN_EVENTS,
      maxOpen: config.TRACE_MAX_OPEN_ASSOCIATIONS,
      timeoutMs: config.TRACE_ASSOCIATION_TIMEOUT_MS,
      recentlyClosed: Math.max(10_000, config.TRACE_MAX_OPEN_ASSOCIATIONS),
    },
    offsets,
  );
  const sink = new SpanSink(
    {
      exporter: config.OTEL_TRACES_EXPORTER as SpanSinkOptions['exporter'],
      serviceName: config.OTEL_SERVICE_NAME,
      serviceVersion: options.version ?? '0.1.0',
      zipkinEndpoint: config.OTEL_EXPORTER_ZIPKIN_ENDPOINT,
      otlpTracesUrl: otlpTracesUrl(config),
      otlpTls: 'otlpTls' in options ? options.otlpTls : otlpTlsFromConfig(config),
      batchSize: config.TRACE_EXPORT_BATCH_SIZE,
      retryInitialMs: 200,
      retryMaxMs: 10_000,
      ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
    },
    log,
  );
  const counts = { events: 0, undecodable: 0, exported: 0, incomplete: 0 };

  const kafkaSecurity = options.kafkaSecurity ?? kafkaSecurityFromConfig(config);
  await checkKafkaTls(config.KAFKA_BROKERS, kafkaSecurity);
  const kafka = createKafka({
    clientId: 'dicomtrail-trace-exporter',
    brokers: config.KAFKA_BROKERS,
    log,
    security: kafkaSecurity,
  });
  await ensureTopics(kafka, [
    {
      topic: config.EVENTS_TOPIC,
      numPartitions: config.EVENTS_TOPIC_PARTITIONS,
      replicationFactor: config.EVENTS_TOPIC_REPLICATION,
    },
  ]);
  const consumer: EventConsumer = createEventConsumer({
    groupId: config.TRACE_EXPORTER_GROUP_ID,
    kafka,
    log,
    sessionTimeoutMs: config.TRACE_KAFKA_SESSION_TIMEOUT_MS,
  });

  function exportClosed(closed: readonly ClosedAssociation[]): void {
    for (const c of closed) {
      if (c.replayedTail) continue; // exported before a restart; its beginning lies before the committed offset
      sink.emit(
        buildSpans(c.record, {
          includePhi: config.TRACE_INCLUDE_PHI,
          ...(c.incomplete ? { incomplete: c.incomplete } : {}),
        }),
      );
      counts.exported++;
      if (c.incomplete) {
        counts.incomplete++;
        log.warn(
          { association_id: c.record.id, reason: c.incomplete, events: c.record.eventCount },
          'association exported as incomplete',
        );
      }
    }
  }

  const checkpoints = new Checkpointer({
    consumer,
    offsets,
    intervalMs: config.TRACE_COMMIT_INTERVAL_MS,
    log,
    beforeCommit: () => sink.flush(),
    openCount: () => tracker.size,
  });

  await consumer.connect();
  await consumer.run({
    topics: [config.EVENTS_TOPIC],
    fromBeginning: config.TRACE_FROM_BEGINNING,
    handler: async (batch, ctx) => {
      await checkpoints.serially(async () => {
        for (const record of batch.records) {
          const offset = Number(record.offset);
          const decoded = decodeRecord(record);
          if (!decoded.ok) {
            counts.undecodable++;
            log.warn(
              {
                topic: batch.topic,
                partition: batch.partition,
                offset: record.offset,
                code: decoded.code,
                reason: decoded.reason,
              },
              'event skipped: cannot be decoded (the audit writer dead-letters it)',
            );
          } else if ('association' in decoded.event) {
            counts.events++;
            const at = { topic: batch.topic, partition: batch.partition, offset };
            exportClosed(tracker.accept(decoded.event as AssociationEvent, at, Date.now()));
          }
          offsets.read(batch.topic, batch.partition, offset);
          // A large batch on a busy machine must not outlive the consumer's Kafka session timeout: kafkajs throttles
          // heartbeats itself.
          if (offset % 256 === 0) await ctx.heartbeat();
        }
        if (sink.buffered >= config.TRACE_EXPORT_BATCH_SIZE) await sink.flush();
        await checkpoints.checkpointIfDue();
      });
      await ctx.heartbeat();
    },
  });

  const timer = checkpoints.everyTick(() => exportClosed(tracker.expire(Date.now())));
  log.info(
    {
      topic: config.EVENTS_TOPIC,
      group: config.TRACE_EXPORTER_GROUP_ID,
      exporter: config.OTEL_TRACES_EXPORTER,
    },
    'trace-exporter ready',
  );

  return {
    stats: () => ({
      events: counts.events,
      undecodable: counts.undecodable,
      associationsExported: counts.exported,
      associationsIncomplete: counts.incomplete,
      openAssociations: tracker.size,
      spansExported: sink.exportedSpans,
      exportRequests: sink.exportRequests,
      failedExportAttempts: sink.failedAttempts,
      commits: checkpoints.commits,
      duplicates: tracker.stats.duplicates,
      lateEvents: tracker.stats.late,
      replayedTails: tracker.stats.replayedTails,
    }),
    checkpoint: () => checkpoints.serially(() => checkpoints.checkpoint()),
    stop: async () => {
      clearInterval(timer);
      await consumer.disconnect();
      sink.stopRetrying();
      try {
        await checkpoints.serially(() => checkpoints.checkpoint());
      } finally {
        await sink.stop();
      }
      log.info(
        { open: tracker.size },
        'trace-exporter stopped; open associations are re-read on the next start',
      );
    },
  };
}
