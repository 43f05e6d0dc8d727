/**
 * Which Kafka offset is safe to commit, per partition, for a consumer that holds associations open across
 * batches (the trace exporter until it exports an association's spans, the audit interchange until it delivers
 * its messages): the first offset of the oldest association still open, or the next offset to read when none is
 * open. A restart then re-reads every open association from its first event, and loses nothing. Pure
 * bookkeeping; the caller commits (checkpointer.ts) once what the offsets produced is delivered.
 */
import type { TopicPartitionOffset } from './consumer.js';

interface PartitionState {
  topic: string;
  partition: number;
  /** association id -> offset of its first event read in this run. */
  open: Map<string, number>;
  next: number;
  committed: number;
}

export class OffsetTracker {
  readonly #parts = new Map<string, PartitionState>();

  #state(topic: string, partition: number): PartitionState {
    const key = `${topic}\u0000${partition}`;
    let s = this.#parts.get(key);
    if (!s) {
      s = { topic, partition, open: new Map(), next: -1, committed: -1 };
      this.#parts.set(key, s);
    }
    return s;
  }

  /** A record at `offset` was read (processed or skipped). */
  read(topic: string, partition: number, offset: number): void {
    const s = this.#state(topic, partition);
    if (offset + 1 > s.next) s.next = offset + 1;
  }

  open(topic: string, partition: number, associationId: string, offset: number): void {
    const s = this.#state(topic, partition);
    if (!s.open.has(associationId)) s.open.set(associationId, offset);
  }

  close(topic: string, partition: number, associationId: string): void {
    this.#state(topic, partition).open.delete(associationId);
  }

  /** Offsets that may be committed once everything closed so far is exported; only those that moved. */
  committable(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const s of this.#parts.values()) {
      if (s.next < 0) continue;
      let safe = s.next;
      // Map iteration is insertion order, so the first entry is the oldest open association.
      for (const offset of s.open.values()) safe = Math.min(safe, offset);
      if (safe > s.committed) out.push({ topic: s.topic, partition: s.partition, offset: String(safe) });
    }
    return out;
  }

  /** Record that these offsets were committed. */
  committed(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) this.#state(o.topic, o.partition).committed = Number(o.offset);
  }

  /** Open associations per partition, for logs and the benchmark. */
  openCount(): number {
    let n = 0;
    for (const s of this.#parts.values()) n += s.open.size;
    return n;
  }
}
