/**
 * What the audit trail says of a data set that is passed on and never held whole (the proxy's cut-through
 * C-STORE), computed on the way through: its length, its sha256 and its header for EVT_C_STORE, EVT_DIMSE_RECV
 * and EVT_DIMSE_SENT, under the same rules as a stored instance's (association/store-receiver.ts): the header
 * up to Pixel Data condensed while the bytes pass (dataset/header-condenser.ts), a value longer than the
 * event value limit kept as `{length, sha256}`; a deflated data set (which cannot be walked before inflating)
 * or one that ends inside an element falls back to its first bytes. Only the length is counted when no event
 * will carry the rest.
 */
import { createHash, type Hash } from 'node:crypto';
import type { DatasetDigest } from '../association/command-summary.js';
import type { NegotiatedContext } from '../association/types.js';
import { DeferredDicomJson } from '../dataset/deferred-dicom-json.js';
import { eventValueLimit } from '../dataset/dicom-json.js';
import { HeaderCondenser } from '../dataset/header-condenser.js';
import { readingProperties } from '../dataset/transfer-syntaxes.js';

/** How much of the data set's start is kept for the fallback header. */
const HEADER_PREFIX = 256 * 1024;

export class PassingDatasetDigest {
  readonly #transferSyntax: string;
  readonly #bulkDataThreshold: number;
  readonly #valueLimit: number;
  readonly #hash: Hash | undefined;
  readonly #condenser: HeaderCondenser | undefined;
  /** The first bytes (views of received fragments, which are never reused). */
  readonly #prefix: Buffer[] = [];
  #prefixBytes = 0;
  #bytes = 0;

  /** `wanted`: an event will carry the sha256 and header (else only the length is counted). */
  constructor(context: NegotiatedContext, opts: { bulkDataThreshold: number; wanted: boolean }) {
    this.#transferSyntax = context.transferSyntax;
    this.#bulkDataThreshold = opts.bulkDataThreshold;
    this.#valueLimit = eventValueLimit();
    this.#hash = opts.wanted ? createHash('sha256') : undefined;
    const ts = readingProperties(context.transferSyntax);
    this.#condenser =
      opts.wanted && !ts.deflated
        ? new HeaderCondenser({
            explicitVr: ts.explicitVr,
            littleEndian: ts.littleEndian,
            valueLimit: this.#valueLimit,
          })
        : undefined;
  }

  get bytes(): number {
    return this.#bytes;
  }

  push(fragment: Buffer): void {
    this.#bytes += fragment.length;
    if (!this.#hash) return;
    this.#hash.update(fragment);
    if (this.#condenser && !this.#condenser.done) this.#condenser.push(fragment);
    if (this.#prefixBytes < HEADER_PREFIX) {
      const part = fragment.subarray(0, HEADER_PREFIX - this.#prefixBytes);
      this.#prefix.push(part);
      this.#prefixBytes += part.length;
    }
  }

  result(): DatasetDigest {
    if (!this.#hash) return { datasetBytes: this.#bytes };
    const digest: DatasetDigest = { datasetBytes: this.#bytes, sha256: this.#hash.digest('hex') };
    const condensed = this.#condenser?.result();
    if (condensed?.complete)
      digest.header = new DeferredDicomJson(ownBuffer(condensed.bytes), {
        transferSyntaxUid: this.#transferSyntax,
        bulkDataThreshold: this.#bulkDataThreshold,
        untilTag: '7FE00010',
        valueLimit: this.#valueLimit,
        elided: condensed.elided,
      });
    else if (this.#prefixBytes > 0)
      digest.header = new DeferredDicomJson(Buffer.concat(this.#prefix, this.#prefixBytes), {
        transferSyntaxUid: this.#transferSyntax,
        bulkDataThreshold: this.#bulkDataThreshold,
        untilTag: '7FE00010',
      });
    this.#prefix.length = 0;
    return digest;
  }
}

/** The bytes of a view in a buffer of their own (a structured clone copies a view's whole buffer). */
function ownBuffer(b: Buffer): Buffer {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : Buffer.from(new Uint8Array(b));
}
