import { eventsTopicConfigSpec } from '@dicomtrail/event-log';
import type { ConfigSpec } from '@dicomtrail/runtime';

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
} satisfies ConfigSpec;
