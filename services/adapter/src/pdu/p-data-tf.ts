/**
 * P-DATA-TF PDU (PS3.8 §9.3.5, Table 9-22) and its Presentation Data Value Items (Table 9-23, Annex E).
 *   offset 0   length 1  PDU-type 0x04
 *   offset 1   length 1  Reserved
 *   offset 2   length 4  PDU-length
 *   offset 6   length n  one or more PDV items:
 *     +0  length 4  Item-length (bytes after this field: context ID + control header + fragment, so >= 2)
 *     +4  length 1  Presentation-context-ID
 *     +5  length 1  Message control header (Annex E.2): bit 0 = 1 command / 0 data set,
 *                   bit 1 = 1 last fragment; bits 2..7 are 0
 *     +6  length k  Message fragment
 * Decoded PDV data is a zero-copy view of the PDU. encodePDataTf writes the PDU with one allocation;
 * encodePDataTfHead writes only the 12 bytes before a lone PDV's fragment, for a sender that writes the
 * fragment itself without copying it.
 */
import { ByteReader } from './byte-reader.js';
import { PduError } from './pdu-error.js';
import { PDU_HEADER_LENGTH, PduType } from './pdu-type.js';

export interface Pdv {
  contextId: number;
  isCommand: boolean;
  isLast: boolean;
  /** On decode, a zero-copy subarray of the PDU. */
  data: Buffer;
}

export interface PDataTf {
  type: 'P-DATA-TF';
  pdvs: Pdv[];
}

const PDV_HEADER_LENGTH = 6;

export function decodePDataTf(body: Buffer): PDataTf {
  const r = new ByteReader(body, PDU_HEADER_LENGTH);
  const pdvs: Pdv[] = [];
  while (r.remaining > 0) pdvs.push(readPdv(r));
  if (pdvs.length === 0) {
    throw new PduError('DT_ERR_PDU_MISSING_ITEM', 'p-data-tf.pdv', PDU_HEADER_LENGTH, 'no PDV item');
  }
  return { type: 'P-DATA-TF', pdvs };
}

function readPdv(r: ByteReader): Pdv {
  const lengthOffset = r.offset;
  const length = r.u32('pdv.item-length');
  if (length < 2) {
    throw new PduError(
      'DT_ERR_PDU_INVALID_VALUE',
      'pdv.item-length',
      lengthOffset,
      `PDV length ${length} < 2`,
    );
  }
  const item = r.sub(length, 'pdv.item-length', lengthOffset);
  const contextId = item.u8('pdv.presentation-context-id');
  const header = item.u8('pdv.message-control-header');
  return { contextId, isCommand: (header & 0x01) !== 0, isLast: (header & 0x02) !== 0, data: item.rest() };
}

/** Encodes header and PDV items into one exactly sized buffer (hot path for large C-STORE). */
export function encodePDataTf(value: PDataTf | readonly Pdv[]): Buffer {
  const pdvs = 'pdvs' in value ? value.pdvs : value;
  if (pdvs.length === 0)
    throw new PduError('DT_ERR_PDU_INVALID_VALUE', 'p-data-tf.pdv', -1, 'no PDV to send');
  let size = PDU_HEADER_LENGTH;
  for (const pdv of pdvs) size += PDV_HEADER_LENGTH + pdv.data.length;
  if (size - PDU_HEADER_LENGTH > 0xffffffff) {
    throw new PduError('DT_ERR_PDU_TOO_LARGE', 'pdu-length', -1, `P-DATA-TF body of ${size} bytes`);
  }
  const out = Buffer.allocUnsafe(size);
  out.writeUInt8(PduType.P_DATA_TF, 0);
  out.writeUInt8(0, 1);
  out.writeUInt32BE(size - PDU_HEADER_LENGTH, 2);
  let at = PDU_HEADER_LENGTH;
  for (const pdv of pdvs) {
    if (!Number.isInteger(pdv.contextId) || pdv.contextId < 1 || pdv.contextId > 255) {
      throw new PduError('DT_ERR_PDU_INVALID_VALUE', 'pdv.presentation-context-id', -1, `${pdv.contextId}`);
    }
    out.writeUInt32BE(pdv.data.length + 2, at);
    out.writeUInt8(pdv.contextId, at + 4);
    out.writeUInt8((pdv.isCommand ? 0x01 : 0) | (pdv.isLast ? 0x02 : 0), at + 5);
    out.set(pdv.data, at + PDV_HEADER_LENGTH);
    at += PDV_HEADER_LENGTH + pdv.data.length;
  }
  return out;
}

/** Length of a P-DATA-TF's PDU header and one PDV item header: what precedes the fragment of a lone PDV. */
export const P_DATA_TF_HEAD_LENGTH = PDU_HEADER_LENGTH + PDV_HEADER_LENGTH;

/**
 * The PDU header and PDV item header of a P-DATA-TF carrying one PDV: followed by `pdv.data`, the same bytes
 * as encodePDataTf([pdv]).
 */
export function encodePDataTfHead(pdv: Pdv): Buffer {
  if (!Number.isInteger(pdv.contextId) || pdv.contextId < 1 || pdv.contextId > 255) {
    throw new PduError('DT_ERR_PDU_INVALID_VALUE', 'pdv.presentation-context-id', -1, `${pdv.contextId}`);
  }
  if (pdv.data.length + PDV_HEADER_LENGTH > 0xffffffff) {
    throw new PduError(
      'DT_ERR_PDU_TOO_LARGE',
      'pdu-length',
      -1,
      `P-DATA-TF fragment of ${pdv.data.length} bytes`,
    );
  }
  const out = Buffer.allocUnsafe(P_DATA_TF_HEAD_LENGTH);
  out.writeUInt8(PduType.P_DATA_TF, 0);
  out.writeUInt8(0, 1);
  out.writeUInt32BE(pdv.data.length + PDV_HEADER_LENGTH, 2);
  out.writeUInt32BE(pdv.data.length + 2, PDU_HEADER_LENGTH);
  out.writeUInt8(pdv.contextId, PDU_HEADER_LENGTH + 4);
  out.writeUInt8((pdv.isCommand ? 0x01 : 0) | (pdv.isLast ? 0x02 : 0), PDU_HEADER_LENGTH + 5);
  return out;
}
