/**
 * A data set header made small, whatever precedes the identifying attributes: walks the top-level
 * elements of a data set as its bytes arrive (PS3.5 §7.1, §7.5), up to Pixel Data (7FE0,0010), and keeps
 *
 * - every top-level element whose encoded value is at most `valueLimit` bytes, byte for byte;
 * - for a longer one, of any VR, sequences included, only `{ tag, vr, length, sha256 }` (its value is
 *   hashed while it passes, never held), which the DICOM JSON decoder reports as BulkData;
 * - the Pixel Data element header alone (tag, VR, length), where the walk stops (unless told to go on).
 *
 * So a 2 MB LT before group 0020 costs 32 bytes of fingerprint, and the Study, Series and SOP Instance
 * UIDs after it are in the condensed bytes. Once the kept bytes pass `maxBytes`, only elements of at most
 * 256 bytes are kept (identifiers are far smaller), and past twice that only the identifying attributes.
 *
 *   element, explicit VR: tag (2+2) | VR (2) | length (2)   or  tag | VR | 00 00 | length (4) (OB OW SQ UN UT ...)
 *   element, implicit VR: tag (2+2) | length (4)
 *   items and delimiters: (FFFE,E000) length (4), (FFFE,E00D) / (FFFE,E0DD) length 0
 *
 * Undefined lengths (sequences, items) are followed to their delimiters, nested up to 64 levels. Deflated
 * data sets are not walked (the caller inflates first). Pure: bytes in, bytes and fingerprints out.
 */
import { createHash, type Hash } from 'node:crypto';
import { LONG_LENGTH_VRS } from './value-representations.js';

export interface ElidedElement {
  /** 8 upper-case hex digits, the DICOM JSON key. */
  tag: string;
  vr: string;
  length: number;
  sha256: string;
}

export interface CondensedHeader {
  /** The kept top-level elements, in order, ending with the Pixel Data element header if one came. */
  bytes: Buffer;
  /** The elements left out, in order. */
  elided: ElidedElement[];
  /** False when the bytes ended inside an element (the data set is truncated or malformed). */
  complete: boolean;
}

export interface CondenserOptions {
  explicitVr: boolean;
  littleEndian: boolean;
  /** Top-level values longer than this many bytes are elided (default 65536). */
  valueLimit?: number;
  /** Kept bytes past which only small elements are kept (default 1 MiB). */
  maxBytes?: number;
  /** Stop at Pixel Data, keeping its element header only (default true); false: treat it as any element. */
  untilPixelData?: boolean;
}

const PIXEL_DATA = 0x7fe00010;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
const UNDEFINED = 0xffffffff;
const MAX_DEPTH = 64;
const SMALL = 256;
/** Patient ID and Name, SOP Class and Instance UIDs, Study and Series Instance UIDs. */
const IDENTIFYING = new Set([0x00100010, 0x00100020, 0x00080016, 0x00080018, 0x0020000d, 0x0020000e]);

export const DEFAULT_VALUE_LIMIT = 64 * 1024;

interface Current {
  tag: number;
  vr: string;
  header: Buffer;
  /** Value bytes held while the element may still be kept. */
  held: Buffer[];
  length: number;
  hash: Hash | undefined;
}

export class HeaderCondenser {
  readonly #explicit: boolean;
  readonly #le: boolean;
  readonly #limit: number;
  readonly #maxBytes: number;
  readonly #out: Buffer[] = [];
  #outLength = 0;
  readonly #elided: ElidedElement[] = [];
  /** Bytes of an element header not complete yet. */
  #carry: Buffer = Buffer.alloc(0);
  /** Value bytes of a defined length still to pass. */
  #remaining = 0;
  /** Undefined-length containers open inside the current top-level element. */
  #depth = 0;
  #cur: Current | undefined;
  #done = false;
  #failed = false;
  readonly #untilPixelData: boolean;

  constructor(opts: CondenserOptions) {
    this.#untilPixelData = opts.untilPixelData ?? true;
    this.#explicit = opts.explicitVr;
    this.#le = opts.littleEndian;
    this.#limit = opts.valueLimit ?? DEFAULT_VALUE_LIMIT;
    this.#maxBytes = opts.maxBytes ?? 1024 * 1024;
  }

  /** True once Pixel Data was reached or the walk gave up: later bytes are ignored. */
  get done(): boolean {
    return this.#done;
  }

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && !this.#done) {
      if (this.#remaining > 0) {
        const n = Math.min(this.#remaining, chunk.length - i);
        this.#value(chunk.subarray(i, i + n));
        this.#remaining -= n;
        i += n;
        if (this.#remaining === 0 && this.#depth === 0) this.#finish();
        continue;
      }
      const need = this.#headerLength(chunk, i);
      if (this.#carry.length + (chunk.length - i) < need) {
        this.#carry = Buffer.concat([this.#carry, chunk.subarray(i)]);
        return;
      }
      const take = need - this.#carry.length;
      const header =
        this.#carry.length === 0
          ? chunk.subarray(i, i + take)
          : Buffer.concat([this.#carry, chunk.subarray(i, i + take)]);
      this.#carry = Buffer.alloc(0);
      i += take;
      this.#onHeader(header);
    }
  }

  result(): CondensedHeader {
    const complete = !this.#failed && this.#cur === undefined && this.#carry.length === 0;
    return { bytes: Buffer.concat(this.#out, this.#outLength), elided: this.#elided, complete };
  }

  /** Bytes of the header starting at chunk[i] (with the carried ones): 8, or 12 for an explicit long VR. */
  #headerLength(chunk: Buffer, i: number): number {
    if (!this.#explicit) return 8;
    const at = (k: number): number | undefined =>
      k < this.#carry.length ? this.#carry[k] : chunk[i + k - this.#carry.length];
    const g0 = at(0);
    const g1 = at(1);
    const v0 = at(4);
    const v1 = at(5);
    if (g0 === undefined || g1 === undefined || v0 === undefined || v1 === undefined) return 8;
    if ((this.#le ? (g1 << 8) | g0 : (g0 << 8) | g1) === 0xfffe) return 8;
    return LONG_LENGTH_VRS.has(String.fromCharCode(v0, v1)) ? 12 : 8;
  }

  #onHeader(h: Buffer): void {
    const u16 = (o: number): number => (this.#le ? h.readUInt16LE(o) : h.readUInt16BE(o));
    const u32 = (o: number): number => (this.#le ? h.readUInt32LE(o) : h.readUInt32BE(o));
    const tag = ((u16(0) << 16) | u16(2)) >>> 0;
    const item = tag >>> 16 === 0xfffe;
    const vr = this.#explicit && !item ? h.toString('latin1', 4, 6) : '';
    const length = item || !this.#explicit ? u32(4) : h.length === 12 ? u32(8) : u16(6);
    if (this.#depth === 0) {
      if ((tag === PIXEL_DATA && this.#untilPixelData) || item) {
        // Pixel Data: its header says what follows; a stray item tag at the top level ends the walk.
        if (!item) this.#keep(Buffer.from(h));
        this.#done = true;
        this.#failed = item;
        return;
      }
      this.#cur = { tag, vr: vr || 'UN', header: Buffer.from(h), held: [], length: 0, hash: undefined };
      if (length === UNDEFINED) this.#depth = 1;
      else if (length === 0) this.#finish();
      else {
        if (length > this.#limitFor(tag)) this.#startHashing();
        this.#remaining = length;
      }
      return;
    }
    // Inside an undefined-length value: the header is part of the value.
    this.#value(h);
    if (tag === ITEM_END || tag === SEQUENCE_END) {
      this.#depth--;
      if (this.#depth === 0) this.#finish();
      return;
    }
    if (length === UNDEFINED) {
      if (++this.#depth > MAX_DEPTH) {
        this.#done = true;
        this.#failed = true;
      }
      return;
    }
    if (tag !== ITEM || length > 0) this.#remaining = length;
  }

  /** The largest value kept for this tag, given how much is kept already. */
  #limitFor(tag: number): number {
    if (this.#outLength <= this.#maxBytes) return this.#limit;
    if (this.#outLength <= 2 * this.#maxBytes || IDENTIFYING.has(tag)) return Math.min(this.#limit, SMALL);
    return 0;
  }

  #startHashing(): void {
    const cur = this.#cur!;
    cur.hash = createHash('sha256');
    for (const b of cur.held) cur.hash.update(b);
    cur.held = [];
  }

  #value(bytes: Buffer): void {
    const cur = this.#cur!;
    cur.length += bytes.length;
    if (cur.hash) {
      cur.hash.update(bytes);
      return;
    }
    cur.held.push(Buffer.from(bytes));
    if (cur.length > this.#limitFor(cur.tag)) this.#startHashing();
  }

  #finish(): void {
    const cur = this.#cur!;
    this.#cur = undefined;
    if (cur.hash) {
      this.#elided.push({
        tag: cur.tag.toString(16).toUpperCase().padStart(8, '0'),
        vr: cur.vr,
        length: cur.length,
        sha256: cur.hash.digest('hex'),
      });
      return;
    }
    this.#keep(cur.header);
    for (const b of cur.held) this.#keep(b);
  }

  #keep(b: Buffer): void {
    this.#out.push(b);
    this.#outLength += b.length;
  }
}

/** A whole in-memory data set condensed in one go. */
export function condenseDataset(bytes: Buffer, opts: CondenserOptions): CondensedHeader {
  const kept = keptWhole(bytes, opts);
  if (kept) return kept;
  const c = new HeaderCondenser(opts);
  c.push(bytes);
  return c.result();
}

/**
 * The usual case of a small data set, without a copy per element: when the walk would keep every element
 * (none past the value limit, the data set within `maxBytes`, nothing truncated or malformed), the condensed
 * bytes are the data set up to the end of the Pixel Data element header (or the end), copied once. Walks as
 * HeaderCondenser does: element headers only, values skipped, undefined lengths followed to their
 * delimiters. Undefined: some element would be left out or the walk fails; the condenser then decides.
 */
function keptWhole(b: Buffer, opts: CondenserOptions): CondensedHeader | undefined {
  const limit = opts.valueLimit ?? DEFAULT_VALUE_LIMIT;
  // Within maxBytes, the limit of every element is `limit` (HeaderCondenser #limitFor).
  if (b.length > (opts.maxBytes ?? 1024 * 1024)) return undefined;
  const explicit = opts.explicitVr;
  const le = opts.littleEndian;
  const untilPixelData = opts.untilPixelData ?? true;
  const u16 = (o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  /** Header length and value length of the element at `o`, or undefined past the end. */
  const header = (o: number): { tag: number; size: number; length: number } | undefined => {
    if (o + 8 > b.length) return undefined;
    const tag = ((u16(o) << 16) | u16(o + 2)) >>> 0;
    if (!explicit || tag >>> 16 === 0xfffe) return { tag, size: 8, length: u32(o + 4) };
    if (!LONG_LENGTH_VRS.has(b.toString('latin1', o + 4, o + 6))) return { tag, size: 8, length: u16(o + 6) };
    if (o + 12 > b.length) return undefined;
    return { tag, size: 12, length: u32(o + 8) };
  };
  /** The offset after the delimiter that closes an undefined-length value starting at `o`. */
  const skipUndefined = (o: number): number | undefined => {
    let depth = 1;
    for (let p = o; ; ) {
      const h = header(p);
      if (!h) return undefined;
      p += h.size;
      if (h.tag === ITEM_END || h.tag === SEQUENCE_END) {
        if (--depth === 0) return p;
      } else if (h.length === UNDEFINED) {
        if (++depth > MAX_DEPTH) return undefined;
      } else if (h.tag !== ITEM || h.length > 0) {
        p += h.length;
        if (p > b.length) return undefined;
      }
    }
  };
  let o = 0;
  while (o < b.length) {
    const h = header(o);
    if (!h || h.tag >>> 16 === 0xfffe) return undefined;
    if (h.tag === PIXEL_DATA && untilPixelData) return wholeResult(b, o + h.size);
    const start = o + h.size;
    if (h.length === UNDEFINED) {
      const end = skipUndefined(start);
      if (end === undefined || end - start > limit) return undefined;
      o = end;
    } else {
      if (h.length > limit || start + h.length > b.length) return undefined;
      o = start + h.length;
    }
  }
  return wholeResult(b, b.length);
}

/** The first `end` bytes in a buffer of their own (no pool: the header may be sent to another thread). */
function wholeResult(b: Buffer, end: number): CondensedHeader {
  const bytes = Buffer.from(b.buffer.slice(b.byteOffset, b.byteOffset + end));
  return { bytes, elided: [], complete: true };
}
