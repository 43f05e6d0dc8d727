/**
 * Opening the event spool (`spool.ts`) after a clean shutdown or a crash: reads the ack watermark,
 * finds the segments and their seq ranges, cuts a torn tail off the newest segment.
 *
 * Only the newest segment is read whole (a crash can only have torn the segment being written:
 * a segment is complete and synced before the next one is created). Older segments are known from
 * their headers: segment n holds seqs firstSeq(n) .. firstSeq(n+1) - 1. A segment whose header is
 * damaged is scanned for its first valid record instead; one with no valid record at all is removed.
 */
import { type FileHandle, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errCode, SEGMENT_RE, truncateFile } from './spool-files.js';
import {
  decodeAckCheckpoint,
  decodeAckFile,
  decodeSegmentHeader,
  FileWindow,
  readRecords,
  SEGMENT_HEADER_BYTES,
  zeroTail,
} from './spool-format.js';

export interface RecoveredSegment {
  num: number;
  name: string;
  path: string;
  firstSeq: number;
  /** Highest seq the segment may hold (exact for the newest one). */
  lastSeq: number;
  size: number;
}

export interface Recovered {
  /** Persisted acknowledgement watermark (0 when there is none, or it is unreadable). */
  ackedSeq: number;
  /** The checkpoint written with that watermark, if any. */
  checkpoint?: Buffer;
  /** Oldest first. */
  segments: RecoveredSegment[];
  /** Number for the next segment to create. */
  nextNum: number;
}

export interface RecoveryObserver {
  corrupt(segment: string, region: { offset: number; bytes: number; reason: string }): void;
  tornTail(info: { segment: string; offset: number; bytes: number }): void;
}

interface Scan {
  records: number;
  firstSeq: number;
  lastSeq: number;
  /** End of the last valid record. */
  end: number;
}

async function scan(fh: FileHandle, size: number): Promise<Scan> {
  const out: Scan = { records: 0, firstSeq: 0, lastSeq: 0, end: Math.min(SEGMENT_HEADER_BYTES, size) };
  if (size <= SEGMENT_HEADER_BYTES) return out;
  for await (const item of readRecords(new FileWindow(fh, size), SEGMENT_HEADER_BYTES, size)) {
    if (item.kind !== 'record' || item.seq <= out.lastSeq) continue;
    if (out.records === 0) out.firstSeq = item.seq;
    out.records++;
    out.lastSeq = item.seq;
    out.end = item.end;
  }
  return out;
}

async function readAck(
  dir: string,
  observer: RecoveryObserver,
): Promise<{ ackedSeq: number; checkpoint?: Buffer }> {
  await rm(join(dir, 'ack.tmp'), { force: true }); // an ack write cut short: the old `ack` stands
  let buf: Buffer;
  try {
    buf = await readFile(join(dir, 'ack'));
  } catch (err) {
    if (errCode(err) === 'ENOENT') return { ackedSeq: 0 };
    throw err;
  }
  const ack = decodeAckFile(buf);
  if (ack.ok) {
    const checkpoint = decodeAckCheckpoint(buf);
    return { ackedSeq: ack.value, ...(checkpoint ? { checkpoint } : {}) };
  }
  // Replaying from the oldest segment is safe: consumers are idempotent.
  observer.corrupt('ack', { offset: 0, bytes: buf.length, reason: ack.reason });
  return { ackedSeq: 0 };
}

/**
 * Newest segment: its exact last seq; a torn tail (anything after the last valid record but zeros) is cut.
 * Zeros after it are the free room of a preallocated segment: its size is then where its records end.
 */
async function settleNewest(
  seg: RecoveredSegment,
  fh: FileHandle,
  observer: RecoveryObserver,
): Promise<Scan> {
  const s = await scan(fh, seg.size);
  seg.lastSeq = s.records > 0 ? s.lastSeq : seg.firstSeq - 1;
  if (s.records > 0 && s.end < seg.size && (await zeroTail(new FileWindow(fh, seg.size), s.end, seg.size))) {
    seg.size = s.end;
    return s;
  }
  if (s.records > 0 && s.end < seg.size) {
    await truncateFile(seg.path, s.end);
    observer.tornTail({ segment: seg.name, offset: s.end, bytes: seg.size - s.end });
    seg.size = s.end;
  }
  return s;
}

export async function recoverSpool(dir: string, observer: RecoveryObserver): Promise<Recovered> {
  const { ackedSeq, checkpoint } = await readAck(dir, observer);
  const found = (await readdir(dir))
    .map((name) => ({ name, m: SEGMENT_RE.exec(name) }))
    .filter((e) => e.m !== null)
    .map((e) => ({ name: e.name, num: Number(e.m![1]) }))
    .sort((a, b) => a.num - b.num);
  const nextNum = (found.at(-1)?.num ?? 0) + 1;

  const segments: RecoveredSegment[] = [];
  let newestSettled = false;
  for (const [idx, f] of found.entries()) {
    const path = join(dir, f.name);
    const last = idx === found.length - 1;
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const head = Buffer.alloc(SEGMENT_HEADER_BYTES);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      const header = decodeSegmentHeader(head.subarray(0, bytesRead));
      const seg: RecoveredSegment = { num: f.num, name: f.name, path, firstSeq: 0, lastSeq: 0, size };
      if (header.ok) seg.firstSeq = header.value;
      if (header.ok && !last) {
        segments.push(seg);
        continue;
      }
      const s = last ? await settleNewest(seg, fh, observer) : await scan(fh, size);
      if (s.records === 0) {
        // The newest segment without a record: created, then the crash came before its first commit.
        if (last) observer.tornTail({ segment: f.name, offset: 0, bytes: size });
        else observer.corrupt(f.name, { offset: 0, bytes: size, reason: 'no valid record in segment' });
        await rm(path, { force: true });
        continue;
      }
      if (!header.ok) {
        observer.corrupt(f.name, { offset: 0, bytes: SEGMENT_HEADER_BYTES, reason: header.reason });
        seg.firstSeq = s.firstSeq;
      }
      newestSettled = last;
      segments.push(seg);
    } finally {
      await fh.close();
    }
  }
  // When the newest segment turned out empty and was removed, the one before it is the newest now.
  const newest = segments.at(-1);
  if (newest !== undefined && !newestSettled) {
    const fh = await open(newest.path, 'r');
    try {
      await settleNewest(newest, fh, observer);
    } finally {
      await fh.close();
    }
  }
  for (let k = 0; k + 1 < segments.length; k++) segments[k]!.lastSeq = segments[k + 1]!.firstSeq - 1;
  return { ackedSeq, segments, nextNum, ...(checkpoint ? { checkpoint } : {}) };
}
