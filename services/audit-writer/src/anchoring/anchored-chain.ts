/**
 * One chain's rows against the heads the anchors signed for it (pure): the row at each anchored position must
 * have the anchored hash, and the chain must reach the furthest anchored position. A chain rewritten from row k
 * on, every later hash and the head recomputed, passes the hash walk but not this: the first anchored position
 * at or after k names a hash the database no longer has.
 */
import type { EventRow } from '../event-row.js';
import type { BrokenLink, ChainCheck } from '../verify.js';

export interface Checkpoint {
  position: number;
  hash: string;
  /** Which anchor signed it: "anchor #12 (000000/0000000012-20261207T184512Z.json)". */
  anchor: string;
}

export class AnchoredChainCheck implements ChainCheck {
  readonly #chainId: string;
  /** Sorted by position. */
  readonly #checkpoints: Checkpoint[];
  #next = 0;
  #lastGood = 0;

  constructor(chainId: string, checkpoints: readonly Checkpoint[]) {
    this.#chainId = chainId;
    this.#checkpoints = [...checkpoints].sort((a, b) => a.position - b.position);
  }

  next(row: EventRow): BrokenLink | undefined {
    for (
      let c = this.#checkpoints[this.#next];
      c && c.position === row.chain_position;
      c = this.#checkpoints[++this.#next]
    ) {
      if (c.hash !== row.row_hash) {
        return {
          chain_id: this.#chainId,
          position: row.chain_position,
          event_id: row.id,
          problem: 'anchor_mismatch',
          expected: `hash ${c.hash}, signed by ${c.anchor}`,
          found: `hash ${row.row_hash}: the chain was rewritten after position ${this.#lastGood} (the last anchored position that still matches) and its hashes recomputed`,
        };
      }
      this.#lastGood = c.position;
    }
    return undefined;
  }

  end(lastPosition: number): BrokenLink | undefined {
    const furthest = this.#checkpoints.at(-1);
    if (!furthest || furthest.position <= lastPosition) return undefined;
    return {
      chain_id: this.#chainId,
      position: lastPosition + 1,
      event_id: null,
      problem: 'anchored_rows_missing',
      expected: `rows up to position ${furthest.position}, signed by ${furthest.anchor}`,
      found: `the chain ends at position ${lastPosition}: its tail was removed and the head set back`,
    };
  }
}
