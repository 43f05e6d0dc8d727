/**
 * The event pipeline of AUDIT_DURABILITY=sync: a WalSink (wal-sink.ts) on the same producer and topic set-up
 * as the KafkaSink of `async` (kafka-producers.ts), with the spool as its write-ahead log. Its envelopes are built
 * on the DICOM thread (an answer waits for them: a thread between would add two hops to each wait). Not
 * started: call `recover()` first, then `start()`.
 */
import { type KafkaSinkConfig, kafkaParts } from './kafka-producers.js';
import type { Spool } from './spool.js';
import { WalSink } from './wal-sink.js';

export function createWalSink(cfg: KafkaSinkConfig & { spool: Spool; failOpen: boolean }): WalSink {
  // The producer thread, off the answers' path, keeps KAFKA_THREAD_NICE.
  const { producer, setup, deadLetters } = kafkaParts({ ...cfg, envelopeThread: false });
  return new WalSink({
    producer,
    deadLetters,
    spool: cfg.spool,
    node: cfg.node,
    log: cfg.log,
    ...(cfg.types ? { types: cfg.types } : {}),
    setup,
    failOpen: cfg.failOpen,
    ...(cfg.maxQueue !== undefined ? { maxMemory: cfg.maxQueue } : {}),
    ...(cfg.batchMax !== undefined ? { batchMax: cfg.batchMax } : {}),
    ...(cfg.lingerMs !== undefined ? { lingerMs: cfg.lingerMs } : {}),
    ...(cfg.maxBackoffMs !== undefined ? { maxBackoffMs: cfg.maxBackoffMs } : {}),
    ...(cfg.closeTimeoutMs !== undefined ? { closeTimeoutMs: cfg.closeTimeoutMs } : {}),
  });
}
