export { Checkpointer, type CheckpointerOptions } from './checkpointer.js';
export {
  type BatchContext,
  type BatchHandler,
  type ConsumedRecord,
  createEventConsumer,
  type EventConsumer,
  KafkaEventConsumer,
  type KafkaEventConsumerOptions,
  type PartitionAssignment,
  type RecordBatch,
  type RunOptions,
  type TopicPartitionOffset,
} from './consumer.js';
export { deadLetterOf } from './dead-letter.js';
export { type DecodedRecord, decodeRecord } from './decode-record.js';
export { createKafka, ensureTopics } from './kafka-client.js';
export {
  checkKafkaTls,
  describeKafkaSecurity,
  diagnosed,
  KafkaLinkError,
  type KafkaSecurity,
  type KafkaSecurityConfig,
  kafkajsSecurity,
  kafkaLinkProblem,
  kafkaSecurityConfigSpec,
  kafkaSecurityFromConfig,
  platformaticSecurity,
  SASL_MECHANISMS,
  type SaslMechanism,
} from './kafka-security.js';
export { OffsetTracker } from './offset-tracker.js';
export {
  PlatformaticEventProducer,
  type PlatformaticEventProducerOptions,
} from './platformatic-producer.js';
export {
  createEventProducer,
  DEFAULT_CLIENT_RETRY,
  DEFAULT_SEND_RETRY,
  type EventProducer,
  type EventRecord,
  KafkaEventProducer,
  type KafkaEventProducerOptions,
} from './producer.js';
export type { InvalidRecord, KafkaClientName, ProducerThreadConfig } from './producer-thread-protocol.js';
export { recordRejection } from './record-rejection.js';
export {
  ProducerThreadError,
  ThreadedEventProducer,
  type ThreadedEventProducerOptions,
} from './threaded-producer.js';
export { eventsTopicConfigSpec } from './topic-config.js';
export {
  DLQ_TOPIC,
  dlqTopicOf,
  EVENTS_TOPIC,
  HEADER_DLQ_REASON,
  HEADER_DLQ_SOURCE,
  HEADER_SCHEMA,
  HEADER_TYPE,
} from './topics.js';
