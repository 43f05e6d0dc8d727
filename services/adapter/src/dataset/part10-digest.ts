/**
 * Compares the data sets of two Part 10 instances (PS3.10 §7.1) byte for byte, whatever their file meta says
 * (the meta carries the sender's AE title, which may differ between two sends of the same instance).
 * The data set starts after (0002,0000)'s group length: 128 + 4 + 12 + that length. Reads in fixed chunks,
 * so a large instance is never held whole.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const CHUNK = 1024 * 1024;

/** Where the data set starts in a Part 10 file whose first 144 bytes are `head` (0: not Part 10). */
function offsetIn(head: Buffer): number {
  if (head.length < 144 || head.toString('latin1', 128, 132) !== 'DICM') return 0;
  return 144 + head.readUInt32LE(140);
}

function datasetOffset(fd: number): number {
  const head = Buffer.alloc(144);
  const n = readSync(fd, head, 0, head.length, 0);
  return offsetIn(head.subarray(0, n));
}

/**
 * Whether two Part 10 instances hold the same data set bytes (after their file meta): `a` a file or the
 * whole instance in memory, `b` a file.
 */
export function sameDataset(a: string | Buffer, b: string): boolean {
  const fa = typeof a === 'string' ? openSync(a, 'r') : undefined;
  try {
    const fb = openSync(b, 'r');
    try {
      const oa = fa === undefined ? offsetIn((a as Buffer).subarray(0, 144)) : datasetOffset(fa);
      const ob = datasetOffset(fb);
      const length = (fa === undefined ? (a as Buffer).length : fstatSync(fa).size) - oa;
      if (length !== fstatSync(fb).size - ob) return false;
      const ba = fa === undefined ? undefined : Buffer.allocUnsafe(CHUNK);
      const bb = Buffer.allocUnsafe(CHUNK);
      for (let done = 0; done < length; ) {
        const want = Math.min(CHUNK, length - done);
        const va =
          ba === undefined
            ? (a as Buffer).subarray(oa + done, oa + done + want)
            : ba.subarray(0, readSync(fa!, ba, 0, want, oa + done));
        const nb = readSync(fb, bb, 0, want, ob + done);
        if (va.length !== want || nb !== want || !va.equals(bb.subarray(0, nb))) return false;
        done += want;
      }
      return true;
    } finally {
      closeSync(fb);
    }
  } finally {
    if (fa !== undefined) closeSync(fa);
  }
}
