import type { Logger } from '@dicomtrail/runtime';
import { Kafka, type LogEntry, type logCreator, logLevel } from 'kafkajs';

/** kafkajs log lines go through the service's pino logger, namespaced like kafkajs does. */
function pinoLogCreator(log: Logger): logCreator {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      const child = { component: 'kafkajs', namespace, ...rest };
      if (level === logLevel.ERROR) log.error(child, message);
      else if (level === logLevel.WARN) log.warn(child, message);
      else if (level === logLevel.INFO) log.debug(child, message);
      else log.trace(child, message);
    };
}

export function createKafka(opts: { clientId: string; brokers: string[]; log: Logger }): Kafka {
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(opts.log),
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

/** Creates the event topics when missing; returns the names that were created. */
export async function ensureTopics(
  kafka: Kafka,
  topics: { topic: string; numPartitions: number; replicationFactor: number }[],
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}
