/**
 * A-ASSOCIATE-RJ PDU (PS3.8 §9.3.4, Table 9-21).
 *   offset 0   length 1  PDU-type 0x03
 *   offset 1   length 1  Reserved
 *   offset 2   length 4  PDU-length (4)
 *   offset 6   length 1  Reserved
 *   offset 7   length 1  Result: 1 rejected-permanent, 2 rejected-transient
 *   offset 8   length 1  Source: 1 service-user, 2 service-provider (ACSE), 3 service-provider (presentation)
 *   offset 9   length 1  Reason/Diag. (meaning depends on Source; ACSE interprets it, the decoder does not)
 */
import { ByteReader } from './byte-reader.js';
import { PduError } from './pdu-error.js';
import { encodeFourByteBody } from './pdu-header.js';
import { PDU_HEADER_LENGTH, PduType } from './pdu-type.js';

export interface AssociateRj {
  type: 'A-ASSOCIATE-RJ';
  result: 1 | 2;
  source: number;
  reason: number;
}

export function decodeAssociateRj(body: Buffer): AssociateRj {
  const r = new ByteReader(body, PDU_HEADER_LENGTH);
  r.skip(1, 'reserved');
  const result = r.u8('result');
  if (result !== 1 && result !== 2)
    throw new PduError(
      'DT_ERR_PDU_INVALID_VALUE',
      'result',
      7,
      `A-ASSOCIATE-RJ result ${result} is not 1 or 2`,
    );
  const source = r.u8('source');
  const reason = r.u8('reason-diag');
  r.expectEnd('a-associate-rj');
  return { type: 'A-ASSOCIATE-RJ', result, source, reason };
}

export function encodeAssociateRj(value: AssociateRj): Buffer {
  return encodeFourByteBody(PduType.A_ASSOCIATE_RJ, value.result, value.source, value.reason);
}
