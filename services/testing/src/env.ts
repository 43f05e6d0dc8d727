import { DicomtrailError } from '@dicomtrail/runtime';

/**
 * How integration tests find the real infrastructure:
 * 1. KAFKA_BROKERS / DATABASE_URL when set (what `npm test` and .ci/run export);
 * 2. otherwise testcontainers, when a Docker engine answers;
 * 3. otherwise a clear error naming the command that starts them. No test silently skips.
 */
export class InfraUnavailableError extends DicomtrailError {}

let dockerProbe: Promise<boolean> | undefined;

export async function dockerAvailable(): Promise<boolean> {
  dockerProbe ??= (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return true;
    } catch {
      // testcontainers throws "Could not find a working container runtime strategy" when there is no engine.
      return false;
    }
  })();
  return dockerProbe;
}

export const START_HINT =
  'run the tests with `npm test` (it starts Kafka from infra/kafka and prepares Postgres), or start them yourself: ' +
  '`infra/kafka/kafka.sh start` and `node infra/postgres/ensure-database.mjs`, then export KAFKA_BROKERS=127.0.0.1:9092 ' +
  'and DATABASE_URL=postgres://postgres@127.0.0.1:5432/dicomtrail';
