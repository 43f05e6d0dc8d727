/**
 * One replay pass over the spool (spool.ts) to Kafka, for the `async` pipeline's draining mode (kafka-sink.ts):
 * the records above the watermark in seq order, in batches of `batchMax`, each batch acknowledged to the spool
 * once Kafka acknowledged it. A record that is not an event envelope is skipped (and reported); a failed
 * send ends the pass (the next one starts again at the watermark: Kafka may see a batch twice, with the same
 * envelope ids, which the audit writer drops).
 */
import type { EventRecord } from '@dicomtrail/event-log';
import type { Logger } from '@dicomtrail/runtime';
import { recordFromLog } from './log-record.js';
import type { Spool } from './spool.js';

export interface DrainHooks {
  batchMax: number;
  /** Closing: end the pass where it is. */
  stopped(): boolean;
  send(records: readonly EventRecord[]): Promise<void>;
  /** A batch Kafka took (before the spool is acknowledged up to it). */
  sent(records: number, ms: number): void;
  /** A record that is not an event envelope, skipped. */
  skipped(seq: number): void;
}

/** Records the pass met (sent or skipped), or the error of the send (or of the read) that ended it. */
export type DrainResult = { yielded: number } | { err: unknown; read?: true };

export async function drainPass(spool: Spool, hooks: DrainHooks, log: Logger): Promise<DrainResult> {
  let yielded = 0;
  let batch: { seq: number; record: EventRecord }[] = [];
  const flush = async (): Promise<unknown> => {
    if (batch.length === 0) return undefined;
    const t0 = performance.now();
    try {
      await hooks.send(batch.map((b) => b.record));
    } catch (err) {
      return err ?? new Error('send failed');
    }
    hooks.sent(batch.length, performance.now() - t0);
    const last = (batch[batch.length - 1] as { seq: number }).seq;
    batch = [];
    try {
      await spool.ack(last);
    } catch (err) {
      log.error({ err, seq: last }, 'event spool ack failed (the records will be sent again)');
    }
    return undefined;
  };
  const gen = spool.replay();
  try {
    for await (const r of gen) {
      if (hooks.stopped()) return { yielded };
      yielded += 1;
      const read = recordFromLog(r.key, r.payload);
      if (!read) {
        hooks.skipped(r.seq);
        continue;
      }
      batch.push({ seq: r.seq, record: read.record });
      if (batch.length >= hooks.batchMax) {
        const err = await flush();
        if (err !== undefined) return { err };
      }
    }
    const err = await flush();
    if (err !== undefined) return { err };
  } catch (err) {
    log.error({ err }, 'event spool replay failed; retrying');
    return { err, read: true };
  } finally {
    await gen.return(undefined);
  }
  return { yielded };
}
