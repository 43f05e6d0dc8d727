import type { ConfigSpec } from '@dicomtrail/runtime';

/** How the event topics are created when missing: the same two variables in every service that may create them. */
export const eventsTopicConfigSpec = {
  EVENTS_TOPIC: {
    type: 'string',
    default: 'dicomtrail.events.v1',
    pattern: /^[A-Za-z0-9._-]{1,240}$/,
    description:
      'The event topic (its dead-letter topic is <topic>.dlq); another name isolates a site or a test run',
  },
  EVENTS_TOPIC_PARTITIONS: {
    type: 'int',
    default: 3,
    min: 1,
    description: 'Partitions of the event topic when it is created',
  },
  EVENTS_TOPIC_REPLICATION: {
    type: 'int',
    default: 1,
    min: 1,
    description: 'Replication factor of the event topic (and its DLQ) when created',
  },
} as const satisfies ConfigSpec;
