/**
 * decodePdu: a whole PDU (6-byte header + body, PS3.8 §9.3.1) to a value, by one switch on PDU-type.
 *   offset 0  length 1  PDU-type    offset 1  length 1  Reserved    offset 2  length 4  PDU-length
 * The buffer must hold exactly one PDU: fewer bytes than PDU-length is DT_ERR_PDU_TRUNCATED,
 * more is DT_ERR_PDU_TRAILING_BYTES.
 */
import { decodeAbort } from './abort.js';
import { decodeAssociateAc } from './associate-ac.js';
import { decodeAssociateRj } from './associate-rj.js';
import { decodeAssociateRq } from './associate-rq.js';
import { decodePDataTf } from './p-data-tf.js';
import type { Pdu } from './pdu.js';
import { PduError } from './pdu-error.js';
import { checkPduType } from './pdu-header.js';
import { PDU_HEADER_LENGTH, PduType } from './pdu-type.js';
import { decodeReleaseRp } from './release-rp.js';
import { decodeReleaseRq } from './release-rq.js';

export function decodePdu(pdu: Buffer): Pdu {
  if (pdu.length < PDU_HEADER_LENGTH) {
    throw new PduError('DT_ERR_PDU_TRUNCATED', 'pdu-header', pdu.length, `${pdu.length} of 6 header bytes`);
  }
  const type = pdu.readUInt8(0);
  checkPduType(type);
  const length = pdu.readUInt32BE(2);
  const available = pdu.length - PDU_HEADER_LENGTH;
  if (available < length) {
    throw new PduError(
      'DT_ERR_PDU_TRUNCATED',
      'pdu-length',
      2,
      `PDU-length ${length}, ${available} bytes present`,
    );
  }
  if (available > length) {
    throw new PduError(
      'DT_ERR_PDU_TRAILING_BYTES',
      'pdu-length',
      2,
      `${available - length} bytes after the PDU`,
    );
  }
  return decodeBody(type, pdu.subarray(PDU_HEADER_LENGTH));
}

function decodeBody(type: number, body: Buffer): Pdu {
  switch (type) {
    case PduType.A_ASSOCIATE_RQ:
      return decodeAssociateRq(body);
    case PduType.A_ASSOCIATE_AC:
      return decodeAssociateAc(body);
    case PduType.A_ASSOCIATE_RJ:
      return decodeAssociateRj(body);
    case PduType.P_DATA_TF:
      return decodePDataTf(body);
    case PduType.A_RELEASE_RQ:
      return decodeReleaseRq(body);
    case PduType.A_RELEASE_RP:
      return decodeReleaseRp(body);
    case PduType.A_ABORT:
      return decodeAbort(body);
    default:
      throw new PduError(
        'DT_ERR_PDU_UNKNOWN_TYPE',
        'pdu-type',
        0,
        `unrecognized PDU type 0x${type.toString(16)}`,
      );
  }
}
