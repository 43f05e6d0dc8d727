export { freePort, type QrArgs, qrArgs, type RunResult, runDcmtk } from './dcmtk.js';
export { dockerAvailable, InfraUnavailableError, START_HINT } from './env.js';
export { type ConsumedRecord, kafkaBrokers, readTopic, testKafka, uniqueTopic } from './kafka.js';
export { createTestDatabase, databaseUrl, type TestDatabase } from './postgres.js';
export { zipkinUrl } from './zipkin.js';
