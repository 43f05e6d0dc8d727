import type { Logger } from '@dicomtrail/runtime';
import { Kafka, type LogEntry, type logCreator, logLevel, type RetryOptions } from 'kafkajs';
import { diagnosed, type KafkaSecurity, kafkajsSecurity } from './kafka-security.js';

/**
 * kafkajs warns on every idempotent producer with bounded send retries. Ours are bounded on purpose: the
 * publisher keeps a failed batch and sends the same records again on the same producer (same producer id and
 * sequence numbers, so the broker still de-duplicates), which keeps a dead broker visible instead of a send
 * that never settles.
 */
const EXPECTED_WARNINGS = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

/** kafkajs log lines go through the service's pino logger, namespaced like kafkajs does. */
function pinoLogCreator(log: Logger, quiet: ReadonlySet<string>): logCreator {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      const child = { component: 'kafkajs', namespace, ...rest };
      if (EXPECTED_WARNINGS.has(message) || quiet.has(namespace)) log.debug(child, message);
      else if (level === logLevel.ERROR) log.error(child, message);
      else if (level === logLevel.WARN) log.warn(child, message);
      else if (level === logLevel.INFO) log.debug(child, message);
      else log.trace(child, message);
    };
}

export function createKafka(opts: {
  clientId: string;
  brokers: string[];
  log: Logger;
  /** Connection and metadata retries (default: 8 retries from 200 ms). */
  retry?: RetryOptions;
  /**
   * kafkajs namespaces logged at debug only (e.g. `Connection`, `BrokerPool`: every failed connect attempt),
   * for a caller that reports the broker's state itself, once per change.
   */
  quietNamespaces?: readonly string[];
  /** TLS and SASL (kafka-security.ts); unset: plaintext. */
  security?: KafkaSecurity;
}): Kafka {
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(opts.log, new Set(opts.quietNamespaces ?? [])),
    retry: opts.retry ?? { initialRetryTime: 200, retries: 8 },
    // kafkajs's 1 s covers a TCP connect; a TLS handshake to a busy broker can take longer (the client then
    // reports a timeout instead of what the broker said).
    ...(opts.security?.tls ? { connectionTimeout: 10_000 } : {}),
    ...kafkajsSecurity(opts.security),
  });
}

/** Creates the event topics when missing; returns the names that were created. */
export async function ensureTopics(
  kafka: Kafka,
  topics: { topic: string; numPartitions: number; replicationFactor: number }[],
): Promise<string[]> {
  const admin = kafka.admin();
  await diagnosed(admin.connect());
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return [];
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    } catch (err) {
      // Several services start together and race to create the same topics: that is fine as long as
      // every topic exists afterwards; anything else is a real error.
      const now = new Set(await admin.listTopics());
      if (!missing.every((t) => now.has(t.topic))) throw err;
    }
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}
