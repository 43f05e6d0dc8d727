/**
 * Splits one DIMSE message into P-DATA-TF payloads, PS3.8 §9.3.5 and Annex E.
 *
 * P-DATA-TF PDU (PS3.8 Table 9-22): 6-byte header (type 0x04, reserved, uint32 PDU length), then PDV items:
 *   offset 0  4  item length (context id + control header + data)
 *   offset 4  1  presentation context id
 *   offset 5  1  message control header (bit 0: command, bit 1: last fragment)
 *   offset 6  n  fragment
 * The PDU length (which excludes the 6-byte header) must not exceed the PEER's Maximum Length
 * (PS3.8 D.1; 0 = unlimited). Command and data set never share a PDV (PS3.8 E.2).
 * Here every PDU carries one PDV of up to (maxPduLength − 6) bytes, as DCMTK does; data are
 * zero-copy subarrays of the inputs except where the streaming variant joins chunks smaller than a PDV.
 */
import { DimseError } from './dimse-error.js';
import { PDV_OVERHEAD, type Pdv } from './pdv.js';

/** PDU length field is a uint32; "unlimited" still has to fit it. */
const UNLIMITED_FRAGMENT = 0xffffffff - PDV_OVERHEAD;

/** Largest fragment per PDV for a peer's maximum PDU length. */
export function maxFragmentLength(maxPduLength: number): number {
  if (maxPduLength === 0) return UNLIMITED_FRAGMENT;
  if (!Number.isInteger(maxPduLength) || maxPduLength <= PDV_OVERHEAD || maxPduLength > 0xffffffff)
    throw new DimseError(
      'DT_ERR_DIMSE_MAX_PDU_LENGTH',
      `maximum PDU length ${maxPduLength} cannot carry a PDV`,
      {
        maxPduLength,
      },
    );
  return maxPduLength - PDV_OVERHEAD;
}

function split(
  contextId: number,
  isCommand: boolean,
  bytes: Buffer,
  max: number,
  out: Pdv[][],
  last = true,
): void {
  if (bytes.length === 0) {
    out.push([{ contextId, isCommand, isLast: last, data: bytes }]);
    return;
  }
  for (let offset = 0; offset < bytes.length; offset += max) {
    const end = Math.min(offset + max, bytes.length);
    out.push([
      { contextId, isCommand, isLast: last && end === bytes.length, data: bytes.subarray(offset, end) },
    ]);
  }
}

/**
 * One received data set fragment passed on to a peer (the audit proxy's cut-through): as it is when it fits
 * the peer's maximum PDU length, else cut into zero-copy pieces that do; only the last piece of the last
 * fragment is marked last. Fragments are never joined, so nothing waits for the next one.
 */
export function refragment(contextId: number, data: Buffer, isLast: boolean, maxPduLength: number): Pdv[][] {
  const max = maxFragmentLength(maxPduLength);
  if (data.length <= max) return [[{ contextId, isCommand: false, isLast, data }]];
  const out: Pdv[][] = [];
  split(contextId, false, data, max, out, isLast);
  return out;
}

/** Fragments a whole message: command PDUs first (last has control 0x03), then data set PDUs (last 0x02). */
export function fragmentMessage(
  contextId: number,
  command: Buffer,
  dataset: Buffer | undefined,
  maxPduLength: number,
): Pdv[][] {
  const max = maxFragmentLength(maxPduLength);
  const out: Pdv[][] = [];
  split(contextId, true, command, max, out);
  if (dataset !== undefined) split(contextId, false, dataset, max, out);
  return out;
}

/**
 * Push-based data set fragmenter for streams: feed chunks, get whole PDUs back. It holds back one full
 * PDV so it can mark the true last one when `end()` is called. Chunks ≥ a PDV are sliced without copying.
 */
export class DatasetFragmenter {
  readonly #contextId: number;
  readonly #max: number;
  #pending: Buffer[] = [];
  #pendingLength = 0;
  #held: Buffer | undefined;
  #ended = false;

  constructor(contextId: number, maxPduLength: number) {
    this.#contextId = contextId;
    this.#max = maxFragmentLength(maxPduLength);
  }

  push(chunk: Buffer): Pdv[][] {
    if (this.#ended) throw new DimseError('DT_ERR_DIMSE_FRAGMENTER_ENDED', 'push after end()');
    const out: Pdv[][] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const want = this.#max - this.#pendingLength;
      const take = Math.min(want, chunk.length - offset);
      this.#pending.push(chunk.subarray(offset, offset + take));
      this.#pendingLength += take;
      offset += take;
      if (this.#pendingLength === this.#max) this.#emit(this.#takePending(), out);
    }
    return out;
  }

  end(): Pdv[][] {
    if (this.#ended) throw new DimseError('DT_ERR_DIMSE_FRAGMENTER_ENDED', 'end() called twice');
    this.#ended = true;
    const out: Pdv[][] = [];
    if (this.#pendingLength > 0) this.#emit(this.#takePending(), out);
    const last = this.#held ?? Buffer.alloc(0);
    this.#held = undefined;
    out.push([{ contextId: this.#contextId, isCommand: false, isLast: true, data: last }]);
    return out;
  }

  #takePending(): Buffer {
    const data =
      this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingLength);
    this.#pending = [];
    this.#pendingLength = 0;
    return data;
  }

  #emit(data: Buffer, out: Pdv[][]): void {
    if (this.#held !== undefined)
      out.push([{ contextId: this.#contextId, isCommand: false, isLast: false, data: this.#held }]);
    this.#held = data;
  }
}

/** Streaming variant of fragmentMessage for a data set given as chunks (e.g. a file read stream). */
export function* fragmentMessageStream(
  contextId: number,
  command: Buffer,
  dataset: Iterable<Buffer>,
  maxPduLength: number,
): Generator<Pdv[]> {
  yield* fragmentMessage(contextId, command, undefined, maxPduLength);
  const f = new DatasetFragmenter(contextId, maxPduLength);
  for (const chunk of dataset) yield* f.push(chunk);
  yield* f.end();
}

/** Async variant for `AsyncIterable<Buffer>` sources such as `fs.createReadStream`. */
export async function* fragmentMessageStreamAsync(
  contextId: number,
  command: Buffer,
  dataset: AsyncIterable<Buffer>,
  maxPduLength: number,
): AsyncGenerator<Pdv[]> {
  yield* fragmentMessage(contextId, command, undefined, maxPduLength);
  const f = new DatasetFragmenter(contextId, maxPduLength);
  for await (const chunk of dataset) yield* f.push(chunk);
  yield* f.end();
}
