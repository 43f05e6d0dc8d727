/**
 * On-disk format of the durable event spool (see `spool.ts` for the behaviour). All integers are
 * big-endian and unsigned. CRC is CRC-32/ISO-HDLC (the zlib/PNG/Ethernet CRC, reflected polynomial
 * 0xEDB88320, init and xor-out 0xFFFFFFFF): `zlib.crc32` when the runtime has it (Node >= 20.15),
 * otherwise the table-driven implementation below, which computes the same value.
 *
 * Directory layout
 *   spool-000001.seg, spool-000002.seg, ...  segments, numbered in creation order (6+ digits)
 *   ack                                      acknowledgement watermark (replaced atomically by rename)
 *   ack.tmp                                  transient, only while an ack is being written
 *   lock                                     pid of the process that has the spool open
 *
 * Segment header (20 bytes, once at offset 0 of every segment)
 *   0   4  magic 'DTSG' (0x44 0x54 0x53 0x47)
 *   4   2  format version = 1
 *   6   2  reserved = 0
 *   8   8  u64 first sequence number this segment holds (records in segment n all have
 *          firstSeq(n) <= seq < firstSeq(n+1))
 *   16  4  CRC of bytes 0..15
 *
 * Record (22 + k + n bytes; records follow each other without padding)
 *   0   4  sync marker 0xF9 0xC0 0xD7 0x5A (0xF9 and 0xC0 never occur in UTF-8, so never in JSON)
 *   4   4  CRC of bytes 8 .. end of record (length, seq, key length, key and payload)
 *   8   4  u32 n = payload length in bytes
 *   12  8  u64 sequence number (strictly increasing across the spool, starts at 1, < 2^53)
 *   20  2  u16 k = key length in bytes
 *   22  k  key, UTF-8 (the association id)
 *   22+k n payload (the event envelope's JSON bytes)
 *
 * A record is valid when the marker matches, 22 + k + n fits in the bytes the segment holds and the
 * CRC matches. An invalid record is reported and the reader resynchronises on the next marker that
 * starts a valid record (or skips to the end of the segment when there is none). Zeros from where a
 * record would start to the end of the segment are its free room (a preallocated segment), not a record:
 * the segment's records end there.
 *
 * Ack file (20 bytes)
 *   0   4  magic 'DTSA' (0x44 0x54 0x53 0x41)
 *   4   2  format version = 1
 *   6   2  reserved = 0
 *   8   8  u64 acknowledged watermark: every record with seq <= this value has been delivered
 *   16  4  CRC of bytes 0..15
 * optionally followed by a checkpoint of the publisher's state at that watermark (the associations still
 * open, write-ahead-log.ts):
 *   20  4  u32 c = checkpoint length
 *   24  4  CRC of the checkpoint bytes
 *   28  c  checkpoint (JSON)
 * An ack file without the tail (or with a tail that does not check) has no checkpoint.
 */
import type { FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';

export const FORMAT_VERSION = 1;
export const SEGMENT_MAGIC = 0x44545347; // 'DTSG'
export const ACK_MAGIC = 0x44545341; // 'DTSA'
export const SYNC_MARKER = 0xf9c0d75a;
export const SYNC_BYTES = Buffer.from([0xf9, 0xc0, 0xd7, 0x5a]);
export const SEGMENT_HEADER_BYTES = 20;
export const ACK_FILE_BYTES = 20;
export const RECORD_HEADER_BYTES = 22;
export const MAX_KEY_BYTES = 0xffff;
export const MAX_PAYLOAD_BYTES = 0xffffffff;

// ---------------------------------------------------------------------------------------------- CRC

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Table-driven CRC-32/ISO-HDLC; `value` continues a previous CRC (as `zlib.crc32` does). */
export function crc32Portable(data: Uint8Array, value = 0): number {
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32/ISO-HDLC, native when available. */
export const crc32: (data: Uint8Array, value?: number) => number =
  typeof nativeCrc32 === 'function' ? (data, value = 0) => nativeCrc32(data, value) >>> 0 : crc32Portable;

// ------------------------------------------------------------------------------ headers and records

function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeBigUInt64BE(BigInt(value), offset);
}

function readU64(buf: Buffer, offset: number): number | undefined {
  const v = buf.readBigUInt64BE(offset);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
}

function encodeHeader(magic: number, value: number): Buffer {
  const buf = Buffer.alloc(20);
  buf.writeUInt32BE(magic, 0);
  buf.writeUInt16BE(FORMAT_VERSION, 4);
  writeU64(buf, value, 8);
  buf.writeUInt32BE(crc32(buf.subarray(0, 16)), 16);
  return buf;
}

type HeaderResult = { ok: true; value: number } | { ok: false; reason: string };

function decodeHeader(buf: Buffer, magic: number, what: string): HeaderResult {
  if (buf.length < 20) return { ok: false, reason: `${what} too short (${buf.length} bytes)` };
  if (buf.readUInt32BE(0) !== magic) return { ok: false, reason: `${what}: bad magic` };
  if (buf.readUInt32BE(16) !== crc32(buf.subarray(0, 16)))
    return { ok: false, reason: `${what}: CRC mismatch` };
  const version = buf.readUInt16BE(4);
  if (version !== FORMAT_VERSION) return { ok: false, reason: `${what}: unsupported version ${version}` };
  const value = readU64(buf, 8);
  if (value === undefined) return { ok: false, reason: `${what}: value out of range` };
  return { ok: true, value };
}

export const encodeSegmentHeader = (firstSeq: number): Buffer => encodeHeader(SEGMENT_MAGIC, firstSeq);
export const decodeSegmentHeader = (buf: Buffer): HeaderResult =>
  decodeHeader(buf, SEGMENT_MAGIC, 'segment header');
export function encodeAckFile(ackedSeq: number, checkpoint?: Buffer): Buffer {
  const header = encodeHeader(ACK_MAGIC, ackedSeq);
  if (checkpoint === undefined) return header;
  const tail = Buffer.alloc(8);
  tail.writeUInt32BE(checkpoint.length, 0);
  tail.writeUInt32BE(crc32(checkpoint), 4);
  return Buffer.concat([header, tail, checkpoint]);
}
export const decodeAckFile = (buf: Buffer): HeaderResult => decodeHeader(buf, ACK_MAGIC, 'ack file');

/** The checkpoint after an ack file's watermark; undefined when there is none or it does not check. */
export function decodeAckCheckpoint(buf: Buffer): Buffer | undefined {
  if (buf.length < ACK_FILE_BYTES + 8) return undefined;
  const length = buf.readUInt32BE(ACK_FILE_BYTES);
  const body = buf.subarray(ACK_FILE_BYTES + 8);
  if (body.length !== length || crc32(body) !== buf.readUInt32BE(ACK_FILE_BYTES + 4)) return undefined;
  return body;
}

export const recordBytes = (keyBytes: number, payloadBytes: number): number =>
  RECORD_HEADER_BYTES + keyBytes + payloadBytes;

/**
 * Writes one record into `buf` at `offset` (a key or payload given as a string is encoded as UTF-8 in place:
 * `buf` has room for its `recordBytes`); returns the offset after it.
 */
export function encodeRecordInto(
  buf: Buffer,
  offset: number,
  seq: number,
  key: Buffer | string,
  payload: Uint8Array | string,
): number {
  buf.writeUInt32BE(SYNC_MARKER, offset);
  writeU64(buf, seq, offset + 12);
  const keyBytes =
    typeof key === 'string'
      ? buf.write(key, offset + RECORD_HEADER_BYTES, 'utf8')
      : key.copy(buf, offset + RECORD_HEADER_BYTES);
  buf.writeUInt16BE(keyBytes, offset + 20);
  const at = offset + RECORD_HEADER_BYTES + keyBytes;
  let payloadBytes: number;
  if (typeof payload === 'string') payloadBytes = buf.write(payload, at, 'utf8');
  else {
    buf.set(payload, at);
    payloadBytes = payload.length;
  }
  buf.writeUInt32BE(payloadBytes, offset + 8);
  const end = at + payloadBytes;
  buf.writeUInt32BE(crc32(buf.subarray(offset + 8, end)), offset + 4);
  return end;
}

// ------------------------------------------------------------------------------------------ reading

const WINDOW_BYTES = 1024 * 1024;

/** Buffered positional reads of one file, never past `limit`. */
export class FileWindow {
  readonly #fh: FileHandle;
  #buf: Buffer = Buffer.alloc(0);
  #start = 0;
  limit: number;

  constructor(fh: FileHandle, limit: number) {
    this.#fh = fh;
    this.limit = limit;
  }

  /** Exactly `len` bytes at `pos` (the caller checks `pos + len <= limit`); may share memory. */
  async bytes(pos: number, len: number): Promise<Buffer> {
    const end = this.#start + this.#buf.length;
    if (pos >= this.#start && pos + len <= end)
      return this.#buf.subarray(pos - this.#start, pos - this.#start + len);
    const size = Math.min(Math.max(len, WINDOW_BYTES), this.limit - pos);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await this.#fh.read(buf, got, size - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.#buf = buf.subarray(0, got);
    this.#start = pos;
    if (got < len) throw new Error(`short read at ${pos}: wanted ${len}, file has ${got}`);
    return this.#buf.subarray(0, len);
  }
}

export interface DecodedRecord {
  kind: 'record';
  offset: number;
  end: number;
  seq: number;
  key: string;
  payload: Buffer;
}

export interface CorruptRegion {
  kind: 'corrupt';
  offset: number;
  /** Bytes skipped, from `offset` to the next valid record (or the end of what was read). */
  bytes: number;
  reason: string;
}

type Parsed = { ok: true; record: DecodedRecord } | { ok: false; reason: string };

async function parseAt(win: FileWindow, pos: number, end: number): Promise<Parsed> {
  if (end - pos < RECORD_HEADER_BYTES) return { ok: false, reason: 'truncated record header' };
  const head = await win.bytes(pos, RECORD_HEADER_BYTES);
  if (head.readUInt32BE(0) !== SYNC_MARKER) return { ok: false, reason: 'bad sync marker' };
  const crc = head.readUInt32BE(4);
  const n = head.readUInt32BE(8);
  const k = head.readUInt16BE(20);
  const total = RECORD_HEADER_BYTES + k + n;
  if (total > end - pos) return { ok: false, reason: `record length ${total} exceeds the segment` };
  const whole = await win.bytes(pos, total);
  if (crc32(whole.subarray(8)) !== crc) return { ok: false, reason: 'CRC mismatch' };
  const seq = readU64(whole, 12);
  if (seq === undefined || seq === 0) return { ok: false, reason: 'sequence number out of range' };
  const key = whole.toString('utf8', RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + k);
  const payload = Buffer.from(whole.subarray(RECORD_HEADER_BYTES + k));
  return { ok: true, record: { kind: 'record', offset: pos, end: pos + total, seq, key, payload } };
}

/** True when every byte of `[from, end)` is zero (the free room of a preallocated segment). */
export async function zeroTail(win: FileWindow, from: number, end: number): Promise<boolean> {
  const chunk = 64 * 1024;
  for (let pos = from; pos < end; pos += chunk) {
    const buf = await win.bytes(pos, Math.min(chunk, end - pos));
    for (let i = 0; i < buf.length; i++) if (buf[i] !== 0) return false;
  }
  return true;
}

async function findSync(win: FileWindow, from: number, end: number): Promise<number> {
  const chunk = 64 * 1024;
  let pos = from;
  while (end - pos >= SYNC_BYTES.length) {
    const len = Math.min(chunk, end - pos);
    const buf = await win.bytes(pos, len);
    const at = buf.indexOf(SYNC_BYTES);
    if (at >= 0) return pos + at;
    if (pos + len >= end) break;
    pos += len - (SYNC_BYTES.length - 1);
  }
  return end;
}

/**
 * Every record in `[start, end)` of a segment, in file order. An invalid stretch is yielded once as a
 * `corrupt` region, and reading resumes at the next marker that starts a valid record. Zeros from a record
 * boundary to `end` end the records (no `corrupt` region).
 */
export async function* readRecords(
  win: FileWindow,
  start: number,
  end: number,
): AsyncGenerator<DecodedRecord | CorruptRegion> {
  let pos = start;
  while (pos < end) {
    const parsed = await parseAt(win, pos, end);
    if (parsed.ok) {
      yield parsed.record;
      pos = parsed.record.end;
      continue;
    }
    if (await zeroTail(win, pos, end)) return;
    let next = await findSync(win, pos + 1, end);
    let resumed: DecodedRecord | undefined;
    while (next < end) {
      const candidate = await parseAt(win, next, end);
      if (candidate.ok) {
        resumed = candidate.record;
        break;
      }
      next = await findSync(win, next + 1, end);
    }
    yield { kind: 'corrupt', offset: pos, bytes: next - pos, reason: parsed.reason };
    if (resumed === undefined) return;
    yield resumed;
    pos = resumed.end;
  }
}
