/**
 * "Durable before acknowledged" (AUDIT_DURABILITY=sync): is an association's last event in the log yet?
 *
 * The log numbers records in write order (spool.ts, `seq`) and makes them durable in that order. The barrier
 * keeps, per association, the seq of its last event written, and whether one of its events could not be
 * written or made durable. An answer to the peer (a DIMSE response, an A-ASSOCIATE-AC, an A-RELEASE-RP)
 * needs its own association's events up to that point durable (and so every record before them in the
 * log), not what other associations wrote since. Pure bookkeeping: no I/O, no timers.
 */
import { DicomtrailError } from '@dicomtrail/runtime';

/** Associations remembered as failed at most (the oldest forgotten first; one per failing association). */
const FAILED_MAX = 10_000;
/** Past this many associations tracked, those already durable are forgotten. */
const PRUNE_AT = 4096;

export class NotDurableError extends DicomtrailError {
  constructor(association: string, cause: unknown) {
    super(
      'DT_ERR_AUDIT_NOT_DURABLE',
      `an event of association ${association} could not be written to the event log: ${(cause as Error)?.message ?? String(cause)}`,
      { association_id: association },
      cause,
    );
  }
}

/** What an answer of an association needs: nothing, a sync of the log up to `seq`, or to fail. */
export type Need =
  | { kind: 'durable' }
  | { kind: 'sync'; seq: number }
  | { kind: 'failed'; error: NotDurableError };

export class DurabilityBarrier {
  readonly #last = new Map<string, number>();
  readonly #failed = new Map<string, unknown>();

  /** Associations with an event whose durability is tracked. */
  get tracked(): number {
    return this.#last.size;
  }

  /** An event of `key` written to the log as record `seq`. */
  wrote(key: string, seq: number): void {
    this.#last.set(key, seq);
  }

  /** An event of `key` that could not be written (or made durable): its answers must not claim success. */
  fail(key: string, err: unknown): void {
    if (this.#failed.size >= FAILED_MAX) this.#failed.delete(this.#failed.keys().next().value as string);
    this.#failed.set(key, err);
  }

  /** Every association with an event after `syncedSeq` failed (the sync that was to cover it failed). */
  failAfter(syncedSeq: number, err: unknown): void {
    for (const [key, seq] of this.#last) if (seq > syncedSeq) this.fail(key, err);
  }

  /** What an answer of `key` needs, the log being durable up to `syncedSeq`. */
  need(key: string, syncedSeq: number): Need {
    const err = this.#failed.get(key);
    if (err !== undefined) return { kind: 'failed', error: new NotDurableError(key, err) };
    const seq = this.#last.get(key);
    if (seq === undefined || seq <= syncedSeq) return { kind: 'durable' };
    return { kind: 'sync', seq };
  }

  /** Forgets associations whose events are all durable, once many are tracked. */
  prune(syncedSeq: number): void {
    if (this.#last.size < PRUNE_AT) return;
    for (const [key, seq] of this.#last) if (seq <= syncedSeq) this.#last.delete(key);
  }
}
