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
export async function testKafka(clientId = 'dicomtrail-test'): Promise<Kafka> {
  return new Kafka({ clientId, brokers: await kafkaBrokers(), logLevel: logLevel.NOTHING });
}

/** A topic name unique to one test run. */
export function uniqueTopic(prefix: string): string {
  return `test.${prefix}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
}
