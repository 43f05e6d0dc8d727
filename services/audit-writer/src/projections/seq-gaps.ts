/**
 * Loss detection on seq (0,1,2,... per association, no gaps). A gap is a gap only when a later seq is seen
 * without the earlier ones: events of one association may legitimately arrive over several batches, in order.
 * Pure: the highest seq already stored and the new seqs in, findings out; `late` says some seq arrived below the
 * highest one seen (it may fill an open finding, which the writer then checks against the trail).
 */

export interface SeqFinding {
  association_id: string;
  expected_seq: number;
  got_seq: number;
}

export interface GapScan {
  findings: SeqFinding[];
  late: boolean;
}

/** `storedMax` is -1 for an association with nothing stored yet; `seqs` ascending. */
export function scanSeqs(association_id: string, storedMax: number, seqs: readonly number[]): GapScan {
  const findings: SeqFinding[] = [];
  let max = storedMax;
  let late = false;
  for (const s of seqs) {
    if (s > max + 1) findings.push({ association_id, expected_seq: max + 1, got_seq: s });
    else if (s <= max) late = true;
    if (s > max) max = s;
  }
  return { findings, late };
}
