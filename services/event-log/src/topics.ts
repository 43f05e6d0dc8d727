/** The event log's topics and headers (shared/design/ARCHITECTURE.md). Key = association id. */
export const EVENTS_TOPIC = 'dicomtrail.events.v1';
export const DLQ_TOPIC = 'dicomtrail.events.v1.dlq';
/** The dead-letter topic of an event topic. */
export function dlqTopicOf(topic: string): string {
  return `${topic}.dlq`;
}
export const HEADER_TYPE = 'type';
export const HEADER_SCHEMA = 'schema';
/** On a dead letter: why the consumer could not process it. */
export const HEADER_DLQ_REASON = 'dlq-reason';
/** On a dead letter: `<topic>/<partition>/<offset>` of the original record. */
export const HEADER_DLQ_SOURCE = 'dlq-source';
