export { createKafka, ensureTopics } from './kafka-client.js';
export {
  createEventProducer,
  DEFAULT_CLIENT_RETRY,
  DEFAULT_SEND_RETRY,
  type EventProducer,
  type EventRecord,
  KafkaEventProducer,
  type KafkaEventProducerOptions,
} from './producer.js';
export { eventsTopicConfigSpec } from './topic-config.js';
export { DLQ_TOPIC, EVENTS_TOPIC, HEADER_DLQ_REASON, HEADER_SCHEMA, HEADER_TYPE } from './topics.js';
