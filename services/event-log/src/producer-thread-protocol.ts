/**
 * Messages between a ThreadedEventProducer (the caller's thread) and its worker (producer-thread-worker.ts),
 * which runs a KafkaEventProducer. Records cross as strings/bytes (structured clone); errors as name + message.
 */
import type { RetryOptions } from 'kafkajs';
import type { KafkaSecurity } from './kafka-security.js';

/** The Kafka client library behind the EventProducer contract. */
export type KafkaClientName = 'kafkajs' | 'platformatic';

export interface ProducerThreadConfig {
  /** Default kafkajs. */
  client?: KafkaClientName;
  topic: string;
  brokers: string[];
  clientId: string;
  compression?: 'gzip' | 'none';
  retry?: RetryOptions;
  clientRetry?: RetryOptions;
  requestTimeoutMs?: number;
  /** kafkajs namespaces logged at debug only (see createKafka). */
  quietNamespaces?: string[];
  /**
   * Validate every value as a dicomtrail event envelope (schemas/) in the worker, right before it is sent, and
   * leave out those that fail (reported back as `invalid`). Keeps schema validation off the caller's thread.
   */
  validateEvents?: boolean;
  /**
   * The worker thread's nice value (Linux; 0-19, default unchanged): a lower priority than the thread serving
   * DICOM, which the scheduler then favours when the CPUs are busy.
   */
  nice?: number;
  /** TLS and SASL of the client (kafka-security.ts); unset: plaintext. */
  security?: KafkaSecurity;
}

/** A record the worker did not send because its value is not a valid event envelope. */
export interface InvalidRecord {
  /** Position in the batch given to `send`. */
  index: number;
  key: string;
  type: string | undefined;
  code: string;
  errors: { path: string; message: string }[];
}

/**
 * A batch as it crosses threads: every value packed into one buffer that is *transferred* (not copied a
 * second time); per record, in `index` (transferred too), the end offset of its value, then the positions of
 * its key in `keys` and of its headers in `headers`, which hold each distinct key and headers object once (the
 * events of an association share their key, those of a type their headers): the structured clone copies a few
 * strings per batch, not one per record.
 */
export interface WireBatch {
  values: ArrayBuffer;
  /** 3 per record: value end, key position, headers position. */
  index: Uint32Array;
  keys: string[];
  headers: Record<string, string>[];
}

export type ToWorker =
  | { op: 'connect'; id: number }
  | { op: 'send'; id: number; batch: WireBatch }
  | { op: 'disconnect'; id: number };

export type FromWorker =
  | { op: 'done'; id: number; invalid?: InvalidRecord[] }
  | {
      op: 'failed';
      id: number;
      /** `rejected`: the Kafka error that refuses a record of the batch for good (record-rejection.ts). */
      error: { name: string; message: string; retriable?: boolean; rejected?: string };
    }
  | {
      op: 'log';
      level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
      fields: Record<string, unknown>;
      message: string;
    };
