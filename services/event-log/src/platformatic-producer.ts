/**
 * The EventProducer contract on @platformatic/kafka 1.x (pure TypeScript; 2.x needs Node ≥ 22): idempotent,
 * acks=all, Java-compatible murmur2 partitioning (`compatibilityPartitioner`, so an association's key lands on
 * the same partition as with kafkajs or a Java client), gzip or none. The caller sends one batch at a time,
 * so per-key order holds. `connect` fetches the topic's metadata: it rejects when the broker is unreachable or
 * the topic is missing. Measured in services/adapter/bench/publish.bench.ts against kafkajs 2.2.4.
 */

import type { Logger } from '@dicomtrail/runtime';
import { compatibilityPartitioner, type MessageToProduce, ProduceAcks, Producer } from '@platformatic/kafka';
import { diagnosed, type KafkaSecurity, platformaticSecurity } from './kafka-security.js';
import type { EventProducer, EventRecord } from './producer.js';

export interface PlatformaticEventProducerOptions {
  topic: string;
  brokers: string[];
  clientId: string;
  log: Logger;
  compression?: 'gzip' | 'none';
  /** Per-request timeout (ms), default 10000. */
  requestTimeoutMs?: number;
  /** Retries of one request and the delay between them: a dead broker shows within ~3 s by default. */
  retries?: number;
  retryDelayMs?: number;
  /** TLS and SASL (kafka-security.ts); unset: plaintext. */
  security?: KafkaSecurity;
}

type Message = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

/**
 * Keys and header strings repeat from one record to the next (an association's id on each of its events, a
 * handful of event types and one schema id): each is turned into bytes once, and a key's murmur2 partition hash
 * is computed once per key. Bounded: emptied when it grows past `max`.
 */
class BytesOf {
  readonly #bytes = new Map<string, Buffer>();
  constructor(readonly max: number) {}
  get(s: string): Buffer {
    let b = this.#bytes.get(s);
    if (b === undefined) {
      if (this.#bytes.size >= this.max) this.#bytes.clear();
      b = Buffer.from(s);
      this.#bytes.set(s, b);
    }
    return b;
  }
}

/** compatibilityPartitioner, once per key buffer (keys come from a BytesOf, so a key's buffer is reused). */
function cachedPartitioner(): typeof compatibilityPartitioner {
  const hashes = new WeakMap<Buffer, number>();
  return (message, key) => {
    if (!Buffer.isBuffer(key)) return compatibilityPartitioner(message, key);
    let h = hashes.get(key);
    if (h === undefined) {
      h = compatibilityPartitioner(message, key);
      hashes.set(key, h);
    }
    return h;
  };
}

export class PlatformaticEventProducer implements EventProducer {
  readonly #topic: string;
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly #log: Logger;
  readonly #security: KafkaSecurity | undefined;
  readonly #keys = new BytesOf(4096);
  readonly #headerBytes = new BytesOf(1024);

  constructor(opts: PlatformaticEventProducerOptions) {
    this.#topic = opts.topic;
    this.#log = opts.log;
    this.#security = opts.security;
    this.#producer = new Producer({
      clientId: opts.clientId,
      bootstrapBrokers: opts.brokers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      compression: opts.compression ?? 'gzip',
      partitioner: cachedPartitioner(),
      autocreateTopics: false,
      timeout: opts.requestTimeoutMs ?? 10_000,
      retries: opts.retries ?? 5,
      retryDelay: opts.retryDelayMs ?? 500,
      ...platformaticSecurity(opts.security),
    });
  }

  async connect(): Promise<void> {
    await diagnosed(this.#producer.metadata({ topics: [this.#topic] }), this.#security);
    this.#log.debug({ topic: this.#topic }, 'platformatic producer has the topic metadata');
  }

  async send(records: readonly EventRecord[]): Promise<void> {
    if (records.length === 0) return;
    const hb = this.#headerBytes;
    // Records of one event type share their headers object (the adapter's sinks, and a batch cloned to the
    // producer thread keeps that sharing): one Map of header bytes each (the client only reads it).
    const maps = new Map<Readonly<Record<string, string>>, Map<Buffer, Buffer>>();
    const messages: Message[] = records.map((r) => {
      let headers = maps.get(r.headers);
      if (headers === undefined) {
        headers = new Map<Buffer, Buffer>();
        for (const k in r.headers) headers.set(hb.get(k), hb.get(r.headers[k] as string));
        maps.set(r.headers, headers);
      }
      return { topic: this.#topic, key: this.#keys.get(r.key), value: r.value, headers };
    });
    await diagnosed(this.#producer.send({ messages }), this.#security);
  }

  async disconnect(): Promise<void> {
    await this.#producer.close();
  }
}
