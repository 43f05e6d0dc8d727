/**
 * The worker side of ThreadedEventProducer: the Kafka client (kafkajs or @platformatic/kafka: record encoding,
 * compression, CRC, sockets) off the thread that serves DICOM. Requests are handled one at a time in arrival order, so
 * the caller's one-batch-at-a-time ordering holds. kafkajs log lines are forwarded to the caller's logger.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { type Logger, setThreadNice } from '@dicomtrail/runtime';
import { isEvent, parseEvent } from '@dicomtrail/schemas';
import { createKafka } from './kafka-client.js';
import { PlatformaticEventProducer } from './platformatic-producer.js';
import { type EventProducer, type EventRecord, KafkaEventProducer } from './producer.js';
import type {
  FromWorker,
  InvalidRecord,
  ProducerThreadConfig,
  ToWorker,
  WireBatch,
} from './producer-thread-protocol.js';
import { recordRejection } from './record-rejection.js';

const port = parentPort;
if (!port) throw new Error('producer-thread-worker must run in a worker thread');
const cfg = workerData as ProducerThreadConfig;

function post(msg: FromWorker): void {
  port?.postMessage(msg);
}

const forward =
  (level: Extract<FromWorker, { op: 'log' }>['level']) =>
  (fields: unknown, message?: string): void => {
    if (typeof fields === 'string') post({ op: 'log', level, fields: {}, message: fields });
    else post({ op: 'log', level, fields: toPlain(fields), message: message ?? '' });
  };

/** Log fields made cloneable (errors become their message and name). */
function toPlain(fields: unknown): Record<string, unknown> {
  if (fields === null || typeof fields !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message } : v;
  }
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

const log = {
  fatal: forward('fatal'),
  error: forward('error'),
  warn: forward('warn'),
  info: forward('info'),
  debug: forward('debug'),
  trace: forward('trace'),
  child: () => log,
} as unknown as Logger;

if (cfg.nice !== undefined && cfg.nice !== 0) {
  const priority = setThreadNice(cfg.nice);
  if (priority.ok)
    log.debug({ thread: 'producer', tid: priority.tid, nice: priority.nice }, 'thread priority lowered');
  else log.warn({ thread: 'producer', reason: priority.reason }, 'thread priority unchanged');
}

function createProducer(): EventProducer {
  if (cfg.client === 'platformatic')
    return new PlatformaticEventProducer({
      topic: cfg.topic,
      brokers: cfg.brokers,
      clientId: cfg.clientId,
      log,
      ...(cfg.requestTimeoutMs ? { requestTimeoutMs: cfg.requestTimeoutMs } : {}),
      ...(cfg.compression ? { compression: cfg.compression } : {}),
      ...(cfg.security ? { security: cfg.security } : {}),
    });
  const kafka = createKafka({
    clientId: cfg.clientId,
    brokers: cfg.brokers,
    log,
    ...(cfg.clientRetry ? { retry: cfg.clientRetry } : {}),
    ...(cfg.quietNamespaces ? { quietNamespaces: cfg.quietNamespaces } : {}),
    ...(cfg.security ? { security: cfg.security } : {}),
  });
  return new KafkaEventProducer({
    topic: cfg.topic,
    kafka,
    log,
    ...(cfg.retry ? { retry: cfg.retry } : {}),
    ...(cfg.requestTimeoutMs ? { requestTimeoutMs: cfg.requestTimeoutMs } : {}),
    ...(cfg.compression ? { compression: cfg.compression } : {}),
  });
}
const producer = createProducer();

function unpack(batch: WireBatch): EventRecord[] {
  const { index } = batch;
  const records: EventRecord[] = [];
  let start = 0;
  for (let i = 0; i < index.length; i += 3) {
    const end = index[i] as number;
    records.push({
      key: batch.keys[index[i + 1] as number] as string,
      value: Buffer.from(batch.values, start, end - start),
      headers: batch.headers[index[i + 2] as number] as Record<string, string>,
    });
    start = end;
  }
  return records;
}

const MAX_ERRORS = 10;

/** The records whose value is not a schema-valid event envelope (cheap boolean check first). */
function checkEnvelopes(records: readonly EventRecord[]): InvalidRecord[] {
  const invalid: InvalidRecord[] = [];
  records.forEach((r, index) => {
    let json: unknown;
    try {
      json = JSON.parse(r.value.toString('utf8'));
    } catch (err) {
      invalid.push({
        index,
        key: r.key,
        type: r.headers['type'],
        code: 'not_json',
        errors: [{ path: '', message: (err as Error).message }],
      });
      return;
    }
    if (isEvent(json)) return;
    const parsed = parseEvent(json);
    invalid.push({
      index,
      key: r.key,
      type: r.headers['type'],
      code: parsed.ok ? 'invalid_event' : parsed.code,
      errors: parsed.ok ? [] : parsed.errors.slice(0, MAX_ERRORS),
    });
  });
  return invalid;
}

let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  chain = chain.then(async () => {
    try {
      if (msg.op === 'connect') await producer.connect();
      else if (msg.op === 'disconnect') await producer.disconnect();
      else {
        const records = unpack(msg.batch);
        const invalid = cfg.validateEvents ? checkEnvelopes(records) : [];
        if (invalid.length === 0) await producer.send(records);
        else {
          const bad = new Set(invalid.map((r) => r.index));
          await producer.send(records.filter((_, i) => !bad.has(i)));
        }
        post({ op: 'done', id: msg.id, ...(invalid.length > 0 ? { invalid } : {}) });
        return;
      }
      post({ op: 'done', id: msg.id });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      // A record the broker can never accept is not retriable, whatever the client's flag says.
      const rejected = recordRejection(err);
      const retriable = rejected ? false : (e as { retriable?: unknown }).retriable;
      post({
        op: 'failed',
        id: msg.id,
        error: {
          name: e.name,
          message: rejected ? `${e.message} (${rejected})` : e.message,
          ...(typeof retriable === 'boolean' ? { retriable } : {}),
          ...(rejected ? { rejected } : {}),
        },
      });
    }
  });
});
