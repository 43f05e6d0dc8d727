/**
 * An EventProducer whose Kafka client runs in a worker thread. The adapter serves DICOM on its main thread;
 * kafkajs's per-record work (encoding, gzip, CRC32C, socket writes, its garbage) measured as the largest share
 * of what publishing adds there, so it moves to a worker. Same contract as KafkaEventProducer: `send` resolves
 * when every record is acknowledged (acks=all) and rejects once the worker's producer gave up, with the same
 * error name and message. One worker per producer; `disconnect` ends it.
 */
import { Worker } from 'node:worker_threads';
import { DicomtrailError, type Logger } from '@dicomtrail/runtime';
import type { EventProducer, EventRecord } from './producer.js';
import type {
  FromWorker,
  InvalidRecord,
  ProducerThreadConfig,
  ToWorker,
  WireBatch,
} from './producer-thread-protocol.js';

export interface ThreadedEventProducerOptions extends ProducerThreadConfig {
  log: Logger;
  /** With `validateEvents`: told, before `send` resolves, which records were left out and why. */
  onInvalid?: (invalid: readonly InvalidRecord[]) => void;
}

/** A failure reported by the producer in the worker (name and message as kafkajs gave them). */
export class ProducerThreadError extends DicomtrailError {
  constructor(
    readonly remoteName: string,
    message: string,
    readonly retriable: boolean | undefined,
    /** The Kafka error that refuses a record of the batch for good (record-rejection.ts). */
    readonly rejected?: string,
  ) {
    super('DT_ERR_KAFKA_PRODUCER', `${remoteName}: ${message}`, { remote_name: remoteName });
  }
}

/** A message to the worker before its id is assigned. */
type Request = ToWorker extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class ThreadedEventProducer implements EventProducer {
  readonly #log: Logger;
  readonly #config: ProducerThreadConfig;
  readonly #onInvalid: ((invalid: readonly InvalidRecord[]) => void) | undefined;
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(opts: ThreadedEventProducerOptions) {
    const { log, onInvalid, ...config } = opts;
    this.#log = log;
    this.#config = config;
    this.#onInvalid = onInvalid;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./producer-thread-worker.js', import.meta.url), {
      workerData: this.#config,
    });
    worker.on('message', (msg: FromWorker) => this.#onMessage(msg));
    worker.on('error', (err) => {
      this.#log.error({ err }, 'kafka producer thread failed');
      this.#failAll(err);
    });
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = undefined;
      if (this.#pending.size > 0) this.#failAll(new Error(`kafka producer thread exited (code ${code})`));
    });
    this.#worker = worker;
    return worker;
  }

  #onMessage(msg: FromWorker): void {
    if (msg.op === 'log') {
      this.#log[msg.level](msg.fields, msg.message);
      return;
    }
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    if (msg.op === 'done') {
      if (msg.invalid) {
        try {
          this.#onInvalid?.(msg.invalid);
        } catch (err) {
          this.#log.error({ err }, 'onInvalid failed');
        }
      }
      p.resolve();
    } else
      p.reject(
        new ProducerThreadError(msg.error.name, msg.error.message, msg.error.retriable, msg.error.rejected),
      );
  }

  #failAll(err: Error): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) p.reject(err);
  }

  #request(msg: Request, worker = this.#start(), transfer: ArrayBuffer[] = []): Promise<void> {
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id } as ToWorker, transfer);
    });
  }

  connect(): Promise<void> {
    return this.#request({ op: 'connect' });
  }

  send(records: readonly EventRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const batch = pack(records);
    return this.#request({ op: 'send', batch }, this.#start(), [
      batch.values,
      batch.index.buffer as ArrayBuffer,
    ]);
  }

  async disconnect(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    try {
      await this.#request({ op: 'disconnect' }, worker);
    } finally {
      this.#worker = undefined;
      await worker.terminate();
    }
  }
}

/** One fresh (never pooled) buffer with every value, and one with the index, so both can be transferred. */
function pack(records: readonly EventRecord[]): WireBatch {
  let total = 0;
  for (const r of records) total += r.value.length;
  const bytes = new Uint8Array(total);
  const index = new Uint32Array(records.length * 3);
  const keys: string[] = [];
  const keyAt = new Map<string, number>();
  const headers: Record<string, string>[] = [];
  const headersAt = new Map<Record<string, string>, number>();
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as EventRecord;
    bytes.set(r.value, at);
    at += r.value.length;
    let k = keyAt.get(r.key);
    if (k === undefined) {
      k = keys.push(r.key) - 1;
      keyAt.set(r.key, k);
    }
    let h = headersAt.get(r.headers);
    if (h === undefined) {
      h = headers.push(r.headers) - 1;
      headersAt.set(r.headers, h);
    }
    index[3 * i] = at;
    index[3 * i + 1] = k;
    index[3 * i + 2] = h;
  }
  return { values: bytes.buffer, index, keys, headers };
}
