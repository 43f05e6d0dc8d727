import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { dockerAvailable, InfraUnavailableError, START_HINT } from './env.js';

let containerBrokers: Promise<string[]> | undefined;

/** The brokers integration tests use: KAFKA_BROKERS, else a testcontainers Kafka, else an error. */
export async function kafkaBrokers(): Promise<string[]> {
  const env = process.env['KAFKA_BROKERS'];
  if (env)
    return env
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (await dockerAvailable()) {
    containerBrokers ??= (async () => {
      const { GenericContainer, Wait } = await import('testcontainers');
      const c = await new GenericContainer('apache/kafka:4.1.1')
        .withExposedPorts({ container: 9092, host: 19092 })
        .withEnvironment({
          KAFKA_NODE_ID: '1',
          KAFKA_PROCESS_ROLES: 'broker,controller',
          KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093',
          KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:19092',
          KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
          KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        })
        .withWaitStrategy(Wait.forLogMessage('Kafka Server started'))
        .start();
      return [`127.0.0.1:${c.getMappedPort(9092)}`];
    })();
    return containerBrokers;
  }
  throw new InfraUnavailableError('DT_ERR_NO_KAFKA', `no Kafka for integration tests: ${START_HINT}`);
}

/** A kafkajs client for tests, quiet unless something is wrong. */
export async function testKafka(clientId = 'dicomtrail-test', brokers?: string[]): Promise<Kafka> {
  return new Kafka({ clientId, brokers: brokers ?? (await kafkaBrokers()), logLevel: logLevel.NOTHING });
}

/** A topic name unique to one test run. */
export function uniqueTopic(prefix: string): string {
  return `test.${prefix}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
}

export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Reads `topic` from the beginning (a fresh consumer group) until `until(records)` holds or `timeoutMs`
 * passes; returns what arrived, in arrival order (each partition in offset order).
 */
export async function readTopic(
  topic: string,
  opts: {
    until: (records: readonly ConsumedRecord[]) => boolean;
    timeoutMs?: number;
    /** Another broker than kafkaBrokers() (e.g. a private one a test starts and stops). */
    brokers?: string[];
  },
): Promise<ConsumedRecord[]> {
  const kafka = await testKafka('dicomtrail-test-reader', opts.brokers);
  const consumer = kafka.consumer({
    groupId: `test-reader-${randomBytes(6).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) {
          if (v !== undefined) headers[k] = (Array.isArray(v) ? v.join(',') : v).toString();
        }
        records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value,
          headers,
        });
      },
    });
    const t0 = Date.now();
    while (!opts.until(records) && Date.now() - t0 < (opts.timeoutMs ?? 30_000)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return records;
  } finally {
    await consumer.disconnect();
  }
}
