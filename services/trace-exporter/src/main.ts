#!/usr/bin/env node
import { createKafka, ensureTopics } from '@dicomtrail/event-log';
import { createLogger, loadConfigOrExit, onShutdown } from '@dicomtrail/runtime';
import { traceExporterConfigSpec } from './config.js';

const log = createLogger('trace-exporter');
const config = loadConfigOrExit(traceExporterConfigSpec, log);
const kafka = createKafka({ clientId: 'dicomtrail-trace-exporter', brokers: config.KAFKA_BROKERS, log });
await ensureTopics(kafka, [
  {
    topic: config.EVENTS_TOPIC,
    numPartitions: config.EVENTS_TOPIC_PARTITIONS,
    replicationFactor: config.EVENTS_TOPIC_REPLICATION,
  },
]);
// The consumer arrives with the trace-exporter issue; until then the process only holds its place.
const idle = setInterval(() => {}, 1 << 30);
log.info({ topic: config.EVENTS_TOPIC }, 'trace-exporter ready');
onShutdown(log, [async () => clearInterval(idle)]);
