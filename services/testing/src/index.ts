export { freePort, type QrArgs, qrArgs, type RunResult, runDcmtk } from './dcmtk.js';
export { dockerAvailable, InfraUnavailableError, START_HINT } from './env.js';
export { type ConsumedRecord, kafkaBrokers, readTopic, testKafka, uniqueTopic } from './kafka.js';
export { type NodeProcess, runNode, startNode } from './node-process.js';
export { createTestDatabase, databaseUrl, type TestDatabase } from './postgres.js';
export { type ScramUser, SecureKafka } from './secure-kafka.js';
export { SecurePostgres } from './secure-postgres.js';
export { type CertFiles, makeCa, makeCert } from './tls-certs.js';
export { zipkinUrl } from './zipkin.js';
