/**
 * A-RELEASE-RP PDU (PS3.8 §9.3.7, Table 9-25).
 *   offset 0  length 1  PDU-type 0x06
 *   offset 1  length 1  Reserved
 *   offset 2  length 4  PDU-length (4)
 *   offset 6  length 4  Reserved
 */
import { ByteReader } from './byte-reader.js';
import { encodeFourByteBody } from './pdu-header.js';
import { PDU_HEADER_LENGTH, PduType } from './pdu-type.js';

export interface ReleaseRp {
  type: 'A-RELEASE-RP';
}

export function decodeReleaseRp(body: Buffer): ReleaseRp {
  const r = new ByteReader(body, PDU_HEADER_LENGTH);
  r.skip(4, 'reserved');
  r.expectEnd('a-release-rp');
  return { type: 'A-RELEASE-RP' };
}

export function encodeReleaseRp(_value: ReleaseRp = { type: 'A-RELEASE-RP' }): Buffer {
  return encodeFourByteBody(PduType.A_RELEASE_RP, 0, 0, 0);
}
