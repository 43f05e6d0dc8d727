/**
 * Bounds-checked big-endian reader over one PDU or item (PS3.8 §9.3.1: "all multi-byte fields ... shall be
 * encoded in big endian"). Every read names its field; an overrun throws PduError with the field and the
 * offset counted from the first byte of the PDU (`base` says where this buffer sits in the PDU).
 * Reads of byte strings are zero-copy subarrays.
 */
import { PduError } from './pdu-error.js';

export class ByteReader {
  readonly #buf: Buffer;
  readonly #base: number;
  #pos = 0;

  /** @param base offset of buf[0] within the whole PDU, for error reports. */
  constructor(buf: Buffer, base = 0) {
    this.#buf = buf;
    this.#base = base;
  }

  /** Offset of the next byte, counted from the start of the PDU. */
  get offset(): number {
    return this.#base + this.#pos;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #need(n: number, field: string): number {
    if (n > this.remaining) {
      throw new PduError(
        'DT_ERR_PDU_TRUNCATED',
        field,
        this.offset,
        `needs ${n} bytes, ${this.remaining} left`,
      );
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  u8(field: string): number {
    return this.#buf.readUInt8(this.#need(1, field));
  }

  u16(field: string): number {
    return this.#buf.readUInt16BE(this.#need(2, field));
  }

  u32(field: string): number {
    return this.#buf.readUInt32BE(this.#need(4, field));
  }

  skip(n: number, field: string): void {
    this.#need(n, field);
  }

  /** Zero-copy view of the next n bytes. */
  bytes(n: number, field: string): Buffer {
    const at = this.#need(n, field);
    return this.#buf.subarray(at, at + n);
  }

  /** The rest of this reader's bytes, zero-copy. */
  rest(): Buffer {
    return this.bytes(this.remaining, 'rest');
  }

  /**
   * Latin-1 string of n bytes with trailing spaces and NULs removed (UIDs, version names). A control
   * character left inside (a NUL before the end, an escape, a newline) is an invalid parameter value.
   */
  trimmedString(n: number, field: string): string {
    const at = this.offset;
    return this.#printable(trimEnd(this.bytes(n, field).toString('latin1')), field, at);
  }

  /**
   * AE title: 16 bytes, leading and trailing spaces not significant (PS3.8 §9.3.2). PS3.5's AE VR excludes
   * backslash and every control character: such a title is an invalid parameter value. Trailing NULs are
   * padding some peers send, not part of the title.
   */
  aeTitle(field: string): string {
    const at = this.offset;
    const title = trimEnd(this.bytes(16, field).toString('latin1')).replace(/^ +/, '');
    if (title.includes('\\'))
      throw new PduError('DT_ERR_PDU_INVALID_VALUE', field, at, 'AE title holds a backslash');
    return this.#printable(title, field, at);
  }

  #printable(s: string, field: string, at: number): string {
    const i = s.search(CONTROL);
    if (i >= 0)
      throw new PduError(
        'DT_ERR_PDU_INVALID_VALUE',
        field,
        at + i,
        `control character 0x${s.charCodeAt(i).toString(16).padStart(2, '0')} at position ${i}`,
      );
    return s;
  }

  /**
   * A reader over the next `length` bytes, for an item whose length field was just read at `lengthOffset`.
   * A length running past this reader's end is a length overrun, not a truncation.
   */
  sub(length: number, field: string, lengthOffset: number): ByteReader {
    if (length > this.remaining) {
      throw new PduError(
        'DT_ERR_PDU_LENGTH_OVERRUN',
        field,
        lengthOffset,
        `length ${length} exceeds the ${this.remaining} bytes left in the enclosing PDU or item`,
      );
    }
    const start = this.offset;
    return new ByteReader(this.bytes(length, field), start);
  }

  /** Throws if bytes are left over after a fixed-size PDU or item. */
  expectEnd(field: string): void {
    if (this.remaining !== 0) {
      throw new PduError(
        'DT_ERR_PDU_TRAILING_BYTES',
        field,
        this.offset,
        `${this.remaining} unexpected bytes`,
      );
    }
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function trimEnd(s: string): string {
  return s.replace(/[ \0]+$/, '');
}
