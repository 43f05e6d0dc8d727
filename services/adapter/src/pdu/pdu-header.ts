/**
 * The 6-byte header every PDU starts with (PS3.8 §9.3.1, first rows of Tables 9-11, 9-17, 9-21, 9-22,
 * 9-24, 9-25, 9-26):
 *   offset 0  length 1  PDU-type (0x01..0x07)
 *   offset 1  length 1  Reserved (not tested)
 *   offset 2  length 4  PDU-length: bytes that follow the header, unsigned big endian
 */
import { ByteWriter } from './byte-writer.js';
import { PduError } from './pdu-error.js';
import { isPduType, PDU_HEADER_LENGTH } from './pdu-type.js';

/** Throws DT_ERR_PDU_UNKNOWN_TYPE (A-P-ABORT reason 1, unrecognized PDU) unless 0x01..0x07. */
export function checkPduType(type: number): void {
  if (!isPduType(type)) {
    throw new PduError(
      'DT_ERR_PDU_UNKNOWN_TYPE',
      'pdu-type',
      0,
      `unrecognized PDU type 0x${type.toString(16)}`,
    );
  }
}

/** A writer with the header written and the PDU-length left to `finishPdu`. */
export function beginPdu(type: number, sizeHint = 256): ByteWriter {
  const w = new ByteWriter(sizeHint);
  w.u8(type, 'pdu-type').u8(0, 'reserved');
  w.reserveLength32();
  return w;
}

export function finishPdu(w: ByteWriter): Buffer {
  w.patchLength32(2, 'pdu-length');
  return w.finish();
}

/** A PDU whose body is 4 bytes: u8 reserved, then three u8 fields (A-ASSOCIATE-RJ, A-ABORT, releases). */
export function encodeFourByteBody(type: number, b1: number, b2: number, b3: number): Buffer {
  const w = new ByteWriter(PDU_HEADER_LENGTH + 4);
  w.u8(type, 'pdu-type').u8(0, 'reserved').u32(4, 'pdu-length');
  w.u8(0, 'reserved').u8(b1, 'byte 8').u8(b2, 'byte 9').u8(b3, 'byte 10');
  return w.finish();
}
