import type { ConfigSpec } from '@dicomtrail/runtime';

/** How the event topics are created when missing: the same two variables in every service that may create them. */
export const eventsTopicConfigSpec = {
  EVENTS_TOPIC_PARTITIONS: {
    type: 'int',
    default: 3,
    min: 1,
    description: 'Partitions of dicomtrail.events.v1 when it is created',
  },
  EVENTS_TOPIC_REPLICATION: {
    type: 'int',
    default: 1,
    min: 1,
    description: 'Replication factor of dicomtrail.events.v1 when it is created',
  },
} as const satisfies ConfigSpec;
