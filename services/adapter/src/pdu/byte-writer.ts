/**
 * Growable big-endian writer for encoding PDUs (PS3.8 §9.3.1: multi-byte fields are big endian).
 * Values are range-checked: an out-of-range value is a PduError (DT_ERR_PDU_INVALID_VALUE) naming the field.
 * `reserveLength16/32` + `patch...` write an item or PDU length once its content is known.
 */
import { PduError } from './pdu-error.js';

export class ByteWriter {
  #buf: Buffer;
  #pos = 0;

  constructor(initialSize = 256) {
    this.#buf = Buffer.alloc(initialSize);
  }

  get length(): number {
    return this.#pos;
  }

  /** Makes room for n bytes and returns where they go. Call it before touching #buf: it may replace it. */
  #ensure(n: number): number {
    const need = this.#pos + n;
    if (need > this.#buf.length) {
      const grown = Buffer.alloc(Math.max(need, this.#buf.length * 2));
      this.#buf.copy(grown, 0, 0, this.#pos);
      this.#buf = grown;
    }
    const at = this.#pos;
    this.#pos = need;
    return at;
  }

  u8(value: number, field: string): this {
    checkRange(value, 0xff, field);
    const at = this.#ensure(1);
    this.#buf.writeUInt8(value, at);
    return this;
  }

  u16(value: number, field: string): this {
    checkRange(value, 0xffff, field);
    const at = this.#ensure(2);
    this.#buf.writeUInt16BE(value, at);
    return this;
  }

  u32(value: number, field: string): this {
    checkRange(value, 0xffffffff, field);
    const at = this.#ensure(4);
    this.#buf.writeUInt32BE(value, at);
    return this;
  }

  zeros(n: number): this {
    const at = this.#ensure(n);
    this.#buf.fill(0, at, this.#pos);
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.#ensure(data.length);
    this.#buf.set(data, at);
    return this;
  }

  /** Latin-1 string as is (UIDs are sent unpadded, as DCMTK does; see index.ts). */
  string(value: string, field: string): this {
    return this.bytes(latin1(value, field));
  }

  /** AE title: 16 bytes, space padded (PS3.8 Table 9-11, Called/Calling-AE-title). */
  aeTitle(value: string, field: string): this {
    const b = latin1(value, field);
    if (b.length > 16) throw new PduError('DT_ERR_PDU_INVALID_VALUE', field, -1, 'AE title over 16 bytes');
    this.bytes(b);
    const at = this.#ensure(16 - b.length);
    this.#buf.fill(0x20, at, this.#pos);
    return this;
  }

  /** Placeholder for a u16 length; returns its position for patchLength16. */
  reserveLength16(): number {
    return this.#ensure(2);
  }

  reserveLength32(): number {
    return this.#ensure(4);
  }

  /** Writes, at `at`, the number of bytes written since the placeholder. */
  patchLength16(at: number, field: string): void {
    const length = this.#pos - at - 2;
    checkRange(length, 0xffff, field);
    this.#buf.writeUInt16BE(length, at);
  }

  patchLength32(at: number, field: string): void {
    const length = this.#pos - at - 4;
    checkRange(length, 0xffffffff, field);
    this.#buf.writeUInt32BE(length, at);
  }

  /** The bytes written, as an exactly sized view. */
  finish(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }
}

function checkRange(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new PduError('DT_ERR_PDU_INVALID_VALUE', field, -1, `${value} is not an integer in 0..${max}`);
  }
}

function latin1(value: string, field: string): Buffer {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is allowed, anything above Latin-1 is not
  if (!/^[\u0000-\u00ff]*$/.test(value)) {
    throw new PduError('DT_ERR_PDU_INVALID_VALUE', field, -1, 'not representable in Latin-1');
  }
  return Buffer.from(value, 'latin1');
}
