/**
 * The event pipeline of AUDIT_DURABILITY=sync: a WalSink (wal-sink.ts) on the same producer, envelope thread
 * and topic set-up as the KafkaSink of `async` (kafka-sink.ts), with the spool as its write-ahead log. Not
 * started: call `recover()` first, then `start()`.
 */
import { type KafkaSinkConfig, kafkaParts } from './kafka-sink.js';
import type { Spool } from './spool.js';
import { WalSink } from './wal-sink.js';

export function createWalSink(cfg: KafkaSinkConfig & { spool: Spool; failOpen: boolean }): WalSink {
  const { producer, encoder, setup, deadLetters } = kafkaParts(cfg);
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
