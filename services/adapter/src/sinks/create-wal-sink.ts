/**
 * The event pipeline of AUDIT_DURABILITY=sync: a WalSink (wal-sink.ts) on the same producer, envelope thread
 * and topic set-up as the KafkaSink of `async` (kafka-sink.ts), with the spool as its write-ahead log. Not
 * started: call `recover()` first, then `start()`.
 */
import { type KafkaSinkConfig, kafkaParts } from './kafka-sink.js';
import type { Spool } from './spool.js';
import { WalSink } from './wal-sink.js';

export function createWalSink(cfg: KafkaSinkConfig & { spool: Spool; failOpen: boolean }): WalSink {
  // Every answer waits for its events to pass the envelope thread: it keeps the DICOM thread's priority
  // (a niced thread on busy CPUs would make each answer wait for the scheduler). The producer thread, off
  // that path, keeps KAFKA_THREAD_NICE.
  const { producer, encoder, setup, deadLetters } = kafkaParts({ ...cfg, encoderNice: 0 });
  return new WalSink({
    producer,
    deadLetters,
    spool: cfg.spool,
    ...(encoder ? { encoder } : {}),
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
