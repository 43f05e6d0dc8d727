/**
 * A batch Kafka refuses because of a record in it (too large for the broker's message.max.bytes, invalid:
 * event-log's recordRejection) is never sent again as it is: the batch is halved until the refused records
 * stand alone, the others are sent in order, and each refused record is dead-lettered:
 *
 * - to the event topic's dead-letter topic (`<topic>.dlq`), unchanged, with headers `dlq-reason` (the Kafka
 *   error) and `dlq-source` (`adapter/<node id>`), where the audit writer's other dead letters are;
 * - or, when the dead-letter topic refuses it too, as a small local record (JSON line in
 *   `<SPOOL_DIR>/dead-letters.jsonl`, 0600, fdatasync'd): its envelope id, type, association, length and
 *   sha256, so the trail's gap is named and the event can be matched if it is found again.
 *
 * Every dead letter is logged (error). Any other failure (the broker away, a leader moving) propagates: the
 * caller keeps the batch and sends it again later, as before.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import {
  type EventProducer,
  type EventRecord,
  HEADER_DLQ_REASON,
  HEADER_DLQ_SOURCE,
  recordRejection,
} from '@dicomtrail/event-log';
import type { Logger } from '@dicomtrail/runtime';

export interface DeadLettersOptions {
  /** Makes the producer of the dead-letter topic (connected on first use: dead letters are rare). */
  dlqProducer: () => EventProducer;
  /** Run once before the first dead letter (creates the dead-letter topic if missing). */
  setup?: () => Promise<void>;
  /** Where records the dead-letter topic refuses too are described (JSON lines). */
  localFile: string;
  nodeId: string;
  log: Logger;
}

export interface LocalDeadLetter {
  at: string;
  id: string | null;
  type: string | null;
  association_id: string;
  length: number;
  sha256: string;
  reason: string;
}

export class DeadLetters {
  readonly #opts: DeadLettersOptions;
  #producer: Promise<EventProducer> | undefined;
  #toTopic = 0;
  #toFile = 0;

  constructor(opts: DeadLettersOptions) {
    this.#opts = opts;
  }

  /** Records dead-lettered to the topic / described in the local file. */
  get stats(): { toTopic: number; toFile: number } {
    return { toTopic: this.#toTopic, toFile: this.#toFile };
  }

  /** Sends `records` with `send`, dead-lettering those Kafka refuses for good; other errors propagate. */
  async deliver(
    send: (records: readonly EventRecord[]) => Promise<void>,
    records: readonly EventRecord[],
  ): Promise<void> {
    try {
      await send(records);
    } catch (err) {
      const why = recordRejection(err);
      if (!why) throw err;
      if (records.length === 1) {
        await this.#deadLetter(records[0] as EventRecord, why);
        return;
      }
      const mid = records.length >> 1;
      await this.deliver(send, records.slice(0, mid));
      await this.deliver(send, records.slice(mid));
    }
  }

  async #deadLetter(record: EventRecord, why: string): Promise<void> {
    const { id, type } = envelopeIdOf(record.value);
    const reason = `${why}: refused by the event topic (${record.value.length} bytes)`;
    const letter: EventRecord = {
      key: record.key,
      value: record.value,
      headers: {
        ...record.headers,
        [HEADER_DLQ_REASON]: reason,
        [HEADER_DLQ_SOURCE]: `adapter/${this.#opts.nodeId}`,
      },
    };
    try {
      await (await this.#dlq()).send([letter]);
      this.#toTopic += 1;
      this.#opts.log.error(
        { id, type, association_id: record.key, bytes: record.value.length, reason: why },
        'event refused by Kafka for good: sent to the dead-letter topic',
      );
      return;
    } catch (err) {
      const again = recordRejection(err);
      if (!again) throw err;
    }
    const local: LocalDeadLetter = {
      at: new Date().toISOString(),
      id,
      type,
      association_id: record.key,
      length: record.value.length,
      sha256: createHash('sha256').update(record.value).digest('hex'),
      reason: `${reason}; refused by the dead-letter topic too`,
    };
    await appendDurably(this.#opts.localFile, `${JSON.stringify(local)}\n`);
    this.#toFile += 1;
    this.#opts.log.error(
      { ...local, file: this.#opts.localFile },
      'event refused by Kafka and its dead-letter topic: described in the local dead-letter file',
    );
  }

  #dlq(): Promise<EventProducer> {
    this.#producer ??= (async () => {
      await this.#opts.setup?.();
      const p = this.#opts.dlqProducer();
      await p.connect();
      return p;
    })().catch((err: unknown) => {
      this.#producer = undefined;
      throw err;
    });
    return this.#producer;
  }

  async close(): Promise<void> {
    const p = this.#producer;
    this.#producer = undefined;
    if (p) await (await p.catch(() => undefined))?.disconnect().catch(() => undefined);
  }
}

/** The envelope's id and type, read from its bytes (a record that is not JSON gives nulls). */
function envelopeIdOf(value: Buffer): { id: string | null; type: string | null } {
  try {
    const env = JSON.parse(value.toString('utf8')) as { id?: unknown; type?: unknown };
    return {
      id: typeof env.id === 'string' ? env.id : null,
      type: typeof env.type === 'string' ? env.type : null,
    };
  } catch {
    return { id: null, type: null };
  }
}

async function appendDurably(file: string, line: string): Promise<void> {
  const fh = await open(file, 'a', 0o600);
  try {
    await fh.appendFile(line);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** The local dead-letter file of a spool directory. */
export function localDeadLetterFile(spoolDir: string): string {
  return path.join(spoolDir, 'dead-letters.jsonl');
}
