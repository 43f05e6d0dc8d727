export { createKafka, ensureTopics } from './kafka-client.js';
export { DLQ_TOPIC, EVENTS_TOPIC, HEADER_DLQ_REASON, HEADER_SCHEMA, HEADER_TYPE } from './topics.js';
