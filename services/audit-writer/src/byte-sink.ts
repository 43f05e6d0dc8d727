/**
 * A growable byte buffer written in place: text goes in as UTF-8 without an intermediate string, so a batch's
 * rows can be rendered (hashed text, COPY lines) with a few allocations instead of several strings per column.
 */
/** Strings up to this length are copied in JavaScript while they are ASCII; longer ones by the encoder. */
const SHORT = 48;

export class ByteSink {
  #buf: Buffer;
  #used = 0;

  constructor(initialBytes = 64 * 1024) {
    this.#buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.#used;
  }

  /** The bytes written so far (a view: valid until the next write or reset). */
  view(): Buffer {
    return this.#buf.subarray(0, this.#used);
  }

  /** Forget what was written, keep the memory. */
  reset(): void {
    this.#used = 0;
  }

  /** A string as UTF-8. */
  text(s: string): void {
    const n = s.length;
    this.#reserve(n * 3); // a UTF-16 code unit is at most 3 UTF-8 bytes
    if (n > SHORT) {
      this.#used += this.#buf.write(s, this.#used, 'utf8');
      return;
    }
    // Short strings (most columns) byte by byte while ASCII: cheaper than a call into the encoder.
    const buf = this.#buf;
    let at = this.#used;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.#used = at + buf.write(s.slice(i), at, 'utf8');
        return;
      }
      buf[at++] = c;
    }
    this.#used = at;
  }

  /** One byte (an ASCII character code). */
  byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#used++] = b;
  }

  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.#used);
    this.#used += b.length;
  }

  #reserve(n: number): void {
    if (this.#used + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#used + n));
    this.#buf.copy(next, 0, 0, this.#used);
    this.#buf = next;
  }
}
