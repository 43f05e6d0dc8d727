/**
 * The associations whose spans are not exported yet: a bounded map from association id to its record, in order of
 * last activity. An association closes when its last event arrives (the DUL back in Sta1, or the connection
 * closed when the stream has no FSM events), when it was idle longer than the timeout, or when the map is full
 * (the least recently active one is closed). A closed association's id is remembered for a while, so duplicates
 * and late events of it are dropped instead of opening a fragment.
 *
 * After a restart the consumer resumes at the oldest open association's first event, so it also reads the tails
 * of associations exported before the restart; those have no beginning (no seq 0, connection open or request)
 * and are closed without spans (`replayedTail`).
 */

import type { OffsetTracker } from '@dicomtrail/event-log';
import { type AssociationEvent, AssociationRecord, type RecordOptions } from './association-record.js';
import type { IncompleteReason } from './span-model.js';

export interface Position {
  topic: string;
  partition: number;
  offset: number;
}

export interface ClosedAssociation {
  record: AssociationRecord;
  /** Why it closed without its end; undefined when its last event arrived. */
  incomplete?: IncompleteReason;
  /** A tail without its beginning, read again after a restart: already exported, so no spans. */
  replayedTail: boolean;
}

export interface TrackerOptions extends RecordOptions {
  maxOpen: number;
  timeoutMs: number;
  /** How many closed association ids are remembered to drop their duplicates. */
  recentlyClosed: number;
}

interface Entry {
  record: AssociationRecord;
  topic: string;
  partition: number;
  lastActivityMs: number;
}

export interface TrackerStats {
  duplicates: number;
  late: number;
  replayedTails: number;
  timedOut: number;
  evicted: number;
}

export class AssociationTracker {
  readonly #open = new Map<string, Entry>();
  readonly #closed = new Set<string>();
  readonly stats: TrackerStats = { duplicates: 0, late: 0, replayedTails: 0, timedOut: 0, evicted: 0 };

  constructor(
    private readonly opts: TrackerOptions,
    private readonly offsets: OffsetTracker,
  ) {}

  get size(): number {
    return this.#open.size;
  }

  /** Folds the event into its association; returns what closed because of it (itself, or an evicted one). */
  accept(event: AssociationEvent, at: Position, nowMs: number): ClosedAssociation[] {
    const id = event.association.id;
    if (this.#closed.has(id)) {
      this.stats.late++;
      return [];
    }
    const closed: ClosedAssociation[] = [];
    let entry = this.#open.get(id);
    if (entry) {
      this.#open.delete(id); // re-inserted below: the map stays in order of last activity
    } else {
      if (this.#open.size >= this.opts.maxOpen) closed.push(...this.#evictOldest());
      entry = {
        record: new AssociationRecord(event, this.opts),
        topic: at.topic,
        partition: at.partition,
        lastActivityMs: nowMs,
      };
      this.offsets.open(at.topic, at.partition, id, at.offset);
    }
    entry.lastActivityMs = nowMs;
    this.#open.set(id, entry);
    if (!entry.record.apply(event)) this.stats.duplicates++;
    if (entry.record.finished) closed.push(this.#close(entry, undefined));
    return closed;
  }

  /** Closes associations idle for longer than the timeout. */
  expire(nowMs: number): ClosedAssociation[] {
    const closed: ClosedAssociation[] = [];
    for (const entry of this.#open.values()) {
      if (nowMs - entry.lastActivityMs < this.opts.timeoutMs) break; // the rest are more recent
      this.stats.timedOut++;
      closed.push(this.#close(entry, 'timeout'));
    }
    return closed;
  }

  /** Closes everything still open (on shutdown, when asked to export partial associations). */
  closeAll(reason: IncompleteReason): ClosedAssociation[] {
    return [...this.#open.values()].map((entry) => this.#close(entry, reason));
  }

  #evictOldest(): ClosedAssociation[] {
    const oldest = this.#open.values().next();
    if (oldest.done) return [];
    this.stats.evicted++;
    return [this.#close(oldest.value, 'evicted')];
  }

  #close(entry: Entry, incomplete: IncompleteReason | undefined): ClosedAssociation {
    const id = entry.record.id;
    this.#open.delete(id);
    this.offsets.close(entry.topic, entry.partition, id);
    this.#closed.add(id);
    if (this.#closed.size > this.opts.recentlyClosed) {
      const first = this.#closed.values().next();
      if (!first.done) this.#closed.delete(first.value);
    }
    const replayedTail = !entry.record.headed;
    if (replayedTail) this.stats.replayedTails++;
    return { record: entry.record, ...(incomplete ? { incomplete } : {}), replayedTail };
  }
}
