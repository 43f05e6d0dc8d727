import { eventsTopicConfigSpec } from '@dicomtrail/event-log';
import type { ConfigOf, ConfigSpec } from '@dicomtrail/runtime';

/** The auditor console's variables. */
export const consoleConfigSpec = {
  CONSOLE_HOST: {
    type: 'string',
    default: '127.0.0.1',
    description: 'Address the console listens on (put TLS in front of it when it is not loopback)',
  },
  CONSOLE_PORT: { type: 'int', default: 8480, min: 0, max: 65535, description: 'HTTP port of the console' },
  CONSOLE_DATABASE_URL: {
    type: 'string',
    default: 'postgres://postgres@127.0.0.1:5432/dicomtrail',
    description:
      'Postgres connection string the console reads the trail through (a login that may take CONSOLE_DB_ROLE)',
  },
  CONSOLE_DB_ROLE: {
    type: 'string',
    default: 'dicomtrail_console',
    pattern: /^([a-z_][a-z0-9_]{0,62})?$/,
    description:
      "Role set on every console connection (SET ROLE): SELECT on the trail, its own console.* tables; empty: the login's own",
  },
  KAFKA_BROKERS: {
    type: 'list',
    default: ['127.0.0.1:9092'],
    description: 'Kafka bootstrap brokers, comma-separated (Audit Log Used events go to the event topic)',
  },
  ...eventsTopicConfigSpec,
  CONSOLE_PUBLISH_TIMEOUT_MS: {
    type: 'int',
    default: 10_000,
    min: 100,
    description: 'How long a page waits for its Audit Log Used event to be acknowledged before it is refused',
  },
  CONSOLE_NODE_ID: {
    type: 'string',
    description: 'Node id of the console in its Audit Log Used events (unset: console-<hostname>)',
  },
  CONSOLE_TRACE_URL: {
    type: 'string',
    default: 'http://127.0.0.1:9411/zipkin/traces/{trace_id}',
    pattern: /^https?:\/\/\S*\{trace_id\}\S*$/,
    description:
      "Link to an association's trace; {trace_id} is replaced (Jaeger: http://host:16686/trace/{trace_id})",
  },
  CONSOLE_SESSION_MINUTES: {
    type: 'int',
    default: 480,
    min: 1,
    description: 'Lifetime of a console session',
  },
  CONSOLE_COOKIE_SECURE: {
    type: 'bool',
    default: false,
    description: 'Mark the session cookie Secure (set it when the console is served over HTTPS)',
  },
  CONSOLE_LOGIN_MAX_FAILURES: {
    type: 'int',
    default: 5,
    min: 1,
    description:
      'Failed logins per username, or per client address, within CONSOLE_LOGIN_WINDOW_MINUTES before logins are refused',
  },
  CONSOLE_LOGIN_WINDOW_MINUTES: {
    type: 'int',
    default: 15,
    min: 1,
    description: 'Window of the login throttle',
  },
  CONSOLE_PAGE_SIZE: {
    type: 'int',
    default: 50,
    min: 1,
    max: 1000,
    description: 'Rows per page of search results',
  },
  CONSOLE_COUNT_LIMIT: {
    type: 'int',
    default: 10_000,
    min: 100,
    description:
      'Search counts stop at this many rows and show "more than N" (keeps counts fast on a large trail)',
  },
} as const satisfies ConfigSpec;

export type ConsoleConfig = ConfigOf<typeof consoleConfigSpec>;
