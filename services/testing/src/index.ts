export {
  ADAPTER_CLI,
  type AdapterProcess,
  type AdapterProcessOptions,
  startAdapterProcess,
} from './adapter-process.js';
export { freePort, type QrArgs, qrArgs, type RunResult, runDcmtk } from './dcmtk.js';
export { dockerAvailable, InfraUnavailableError, START_HINT } from './env.js';
export { type HttpsReceiver, type ReceivedRequest, startHttpsReceiver } from './https-receiver.js';
export { type ConsumedRecord, kafkaBrokers, readTopic, testKafka, uniqueTopic } from './kafka.js';
export { type NodeProcess, runNode, startNode } from './node-process.js';
export { createTestDatabase, databaseUrl, type TestDatabase } from './postgres.js';
export { type ScramUser, SecureKafka } from './secure-kafka.js';
export { SecurePostgres } from './secure-postgres.js';
export { type CertFiles, type KeyType, makeCa, makeCert } from './tls-certs.js';
export { zipkinUrl } from './zipkin.js';
