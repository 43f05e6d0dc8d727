/**
 * PduFramer: cuts a TCP byte stream into whole PDUs. The one place in pdu/ + dul/ that keeps partial bytes.
 *
 * PS3.8 §9.3.1 header: offset 0 PDU-type (1), offset 1 reserved (1), offset 2 PDU-length (4, big endian).
 * - The type byte is checked as soon as it arrives: not 0x01..0x07 ⇒ DT_ERR_PDU_UNKNOWN_TYPE (reason 1).
 * - The length is checked as soon as the header is complete: over `maxPduLength` ⇒ DT_ERR_PDU_TOO_LARGE,
 *   before any of the body is buffered (a 0xFFFFFFFF length is refused at once).
 * - Chunks are kept in a list and copied once, when a PDU that spans them completes (no quadratic
 *   concatenation). A PDU lying inside one chunk is returned as a zero-copy subarray of that chunk, so
 *   callers must not reuse chunk buffers (net.Socket does not).
 * After an error the framer stays failed: every later push() rethrows it (the association is aborted).
 */
import type { RawPdu } from './pdu.js';
import { PduError } from './pdu-error.js';
import { checkPduType } from './pdu-header.js';
import { PDU_HEADER_LENGTH } from './pdu-type.js';

export interface PduFramerOptions {
  /** Largest acceptable PDU-length (body bytes, header excluded); larger ⇒ DT_ERR_PDU_TOO_LARGE. */
  maxPduLength: number;
}

export class PduFramer {
  readonly #maxPduLength: number;
  readonly #chunks: Buffer[] = [];
  /** Bytes of #chunks[0] already consumed. */
  #head = 0;
  /** Unconsumed bytes across all chunks. */
  #buffered = 0;
  #failed: PduError | undefined;

  constructor(opts: PduFramerOptions) {
    const max = opts.maxPduLength;
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
      throw new PduError('DT_ERR_PDU_INVALID_VALUE', 'maxPduLength', -1, `${max} is not in 0..0xFFFFFFFF`);
    }
    this.#maxPduLength = max;
  }

  /** Bytes held for a PDU not yet complete. */
  get bufferedLength(): number {
    return this.#buffered;
  }

  /** Adds a chunk; returns the PDUs it completes, in order. Throws PduError on a bad header. */
  push(chunk: Buffer): RawPdu[] {
    if (this.#failed) throw this.#failed;
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const out: RawPdu[] = [];
    try {
      for (let pdu = this.#next(); pdu !== undefined; pdu = this.#next()) out.push(pdu);
    } catch (err) {
      if (!(err instanceof PduError)) throw err;
      this.#failed = new PduError(err.code, err.field, err.offset, err.detail, err, out);
      throw this.#failed;
    }
    return out;
  }

  #next(): RawPdu | undefined {
    if (this.#buffered < 1) return undefined;
    const type = this.#byteAt(0);
    checkPduType(type);
    if (this.#buffered < PDU_HEADER_LENGTH) return undefined;
    // The header usually lies in the first chunk (one PDU per read): read it there, not byte by byte.
    const first = this.#chunks[0]!;
    const length =
      first.length - this.#head >= PDU_HEADER_LENGTH
        ? first.readUInt32BE(this.#head + 2)
        : ((this.#byteAt(2) << 24) >>> 0) +
          (this.#byteAt(3) << 16) +
          (this.#byteAt(4) << 8) +
          this.#byteAt(5);
    if (length > this.#maxPduLength) {
      throw new PduError(
        'DT_ERR_PDU_TOO_LARGE',
        'pdu-length',
        2,
        `PDU-length ${length} exceeds the maximum ${this.#maxPduLength}`,
      );
    }
    const total = PDU_HEADER_LENGTH + length;
    if (this.#buffered < total) return undefined;
    return { type, length, bytes: this.#take(total) };
  }

  #byteAt(index: number): number {
    let i = this.#head + index;
    for (const chunk of this.#chunks) {
      if (i < chunk.length) return chunk[i]!;
      i -= chunk.length;
    }
    throw new PduError('DT_ERR_PDU_TRUNCATED', 'framer', index, 'internal: byte beyond buffered data');
  }

  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0]!;
    if (first.length - this.#head >= n) {
      const view = first.subarray(this.#head, this.#head + n);
      this.#advance(n);
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.#chunks[0]!;
      const count = Math.min(chunk.length - this.#head, n - written);
      chunk.copy(out, written, this.#head, this.#head + count);
      written += count;
      this.#advance(count);
    }
    return out;
  }

  /** Consumes `n` bytes of the first chunk, dropping it once used up. */
  #advance(n: number): void {
    this.#head += n;
    if (this.#head === this.#chunks[0]!.length) {
      this.#chunks.shift();
      this.#head = 0;
    }
  }
}
