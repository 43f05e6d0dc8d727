/**
 * A-ABORT PDU (PS3.8 §9.3.8, Table 9-26).
 *   offset 0  length 1  PDU-type 0x07
 *   offset 1  length 1  Reserved
 *   offset 2  length 4  PDU-length (4)
 *   offset 6  length 1  Reserved
 *   offset 7  length 1  Reserved
 *   offset 8  length 1  Source: 0 service-user (A-ABORT), 2 service-provider (A-P-ABORT); 1 reserved
 *   offset 9  length 1  Reason/Diag. (source 2): 0 not specified, 1 unrecognized PDU, 2 unexpected PDU,
 *                       4 unrecognized PDU parameter, 5 unexpected PDU parameter, 6 invalid PDU parameter value
 */
import { ByteReader } from './byte-reader.js';
import { encodeFourByteBody } from './pdu-header.js';
import { PDU_HEADER_LENGTH, PduType } from './pdu-type.js';

export interface Abort {
  type: 'A-ABORT';
  source: number;
  reason: number;
}

export function decodeAbort(body: Buffer): Abort {
  const r = new ByteReader(body, PDU_HEADER_LENGTH);
  r.skip(2, 'reserved');
  const source = r.u8('source');
  const reason = r.u8('reason-diag');
  r.expectEnd('a-abort');
  return { type: 'A-ABORT', source, reason };
}

export function encodeAbort(value: Abort): Buffer {
  return encodeFourByteBody(PduType.A_ABORT, 0, value.source, value.reason);
}
