/**
 * Where the time of "durable before acknowledged" goes (the write-ahead log, wal-sink.ts): per event, the
 * envelope's encoding and its share of the appends (one write(2) into the page cache for every event queued
 * since the last); per answer that waited, the sync
 * (fdatasync) it needed, or none when an earlier sync already covered its events. Everything runs on the
 * DICOM thread, so there is no thread hop or wake-up between an answer and its sync to measure: the wait
 * of an answer is its sync. Counters in nanoseconds; a window of the last syncs gives their median.
 */

const WINDOW = 1001;

export interface WaitBreakdownSnapshot {
  /** Events encoded and appended; their total time (µs). */
  events: number;
  encode_us: number;
  append_us: number;
  /** Operations that had their events written to the log, without a sync, before their work (a C-STORE's filing). */
  logged: number;
  /** Answers that asked for their events to be durable; of them, those that needed a sync of their own. */
  waits: number;
  waits_synced: number;
  /** Syncs on the answers' path and their total time (µs); median and 90th percentile of the last 1001 (µs). */
  syncs: number;
  sync_us: number;
  sync_median_us: number | null;
  sync_p90_us: number | null;
  /** Syncs in the thread pool for events no answer waited on. */
  background_syncs: number;
  /** Thread hops between an event and its record in the log, and between an answer and its sync. */
  hops_per_wait: 0;
}

export class WaitBreakdown {
  #events = 0;
  #encodeNs = 0;
  #appendNs = 0;
  #logged = 0;
  #waits = 0;
  #waitsSynced = 0;
  #syncs = 0;
  #syncNs = 0;
  #background = 0;
  readonly #window: number[] = [];
  #next = 0;

  event(encodeNs: number): void {
    this.#events += 1;
    this.#encodeNs += encodeNs;
  }

  /** One write of the queued events to the log. */
  appended(ns: number): void {
    this.#appendNs += ns;
  }

  logged(): void {
    this.#logged += 1;
  }

  wait(synced: boolean): void {
    this.#waits += 1;
    if (synced) this.#waitsSynced += 1;
  }

  sync(ns: number): void {
    this.#syncs += 1;
    this.#syncNs += ns;
    if (this.#window.length < WINDOW) this.#window.push(ns);
    else this.#window[this.#next] = ns;
    this.#next = (this.#next + 1) % WINDOW;
  }

  backgroundSync(): void {
    this.#background += 1;
  }

  snapshot(): WaitBreakdownSnapshot {
    const sorted = [...this.#window].sort((a, b) => a - b);
    const at = (q: number): number | null =>
      sorted.length === 0
        ? null
        : us(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number);
    return {
      events: this.#events,
      encode_us: us(this.#encodeNs),
      append_us: us(this.#appendNs),
      logged: this.#logged,
      waits: this.#waits,
      waits_synced: this.#waitsSynced,
      syncs: this.#syncs,
      sync_us: us(this.#syncNs),
      sync_median_us: at(0.5),
      sync_p90_us: at(0.9),
      background_syncs: this.#background,
      hops_per_wait: 0,
    };
  }
}

const us = (ns: number): number => Math.round(ns / 100) / 10;

/** Nanoseconds now (monotonic). */
export const nowNs = (): number => performance.now() * 1e6;
