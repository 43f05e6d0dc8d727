/**
 * Compares the data sets of two Part 10 files (PS3.10 §7.1) byte for byte, whatever their file meta says
 * (the meta carries the sender's AE title, which may differ between two sends of the same instance).
 * The data set starts after (0002,0000)'s group length: 128 + 4 + 12 + that length. Reads in fixed chunks,
 * so a large instance is never held whole.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const CHUNK = 1024 * 1024;

function datasetOffset(fd: number): number {
  const head = Buffer.alloc(144);
  const n = readSync(fd, head, 0, head.length, 0);
  if (n < head.length || head.toString('latin1', 128, 132) !== 'DICM') return 0;
  return 144 + head.readUInt32LE(140);
}

/** Whether the two files hold the same data set bytes (after their file meta). */
export function sameDataset(a: string, b: string): boolean {
  const fa = openSync(a, 'r');
  try {
    const fb = openSync(b, 'r');
    try {
      const oa = datasetOffset(fa);
      const ob = datasetOffset(fb);
      const length = fstatSync(fa).size - oa;
      if (length !== fstatSync(fb).size - ob) return false;
      const ba = Buffer.allocUnsafe(CHUNK);
      const bb = Buffer.allocUnsafe(CHUNK);
      for (let done = 0; done < length; ) {
        const want = Math.min(CHUNK, length - done);
        const na = readSync(fa, ba, 0, want, oa + done);
        const nb = readSync(fb, bb, 0, want, ob + done);
        if (na !== want || nb !== want || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
        done += want;
      }
      return true;
    } finally {
      closeSync(fb);
    }
  } finally {
    closeSync(fa);
  }
}
