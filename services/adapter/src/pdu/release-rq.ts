/**
 * A-RELEASE-RQ PDU (PS3.8 §9.3.6, Table 9-24).
 *   offset 0  length 1  PDU-type 0x05
 *   offset 1  length 1  Reserved
 *   offset 2  length 4  PDU-length (4)
 *   offset 6  length 4  Reserved
 */
import { ByteReader } from './byte-reader.js';
import { encodeFourByteBody } from './pdu-header.js';
import { PDU_HEADER_LENGTH, PduType } from './pdu-type.js';

export interface ReleaseRq {
  type: 'A-RELEASE-RQ';
}

export function decodeReleaseRq(body: Buffer): ReleaseRq {
  const r = new ByteReader(body, PDU_HEADER_LENGTH);
  r.skip(4, 'reserved');
  r.expectEnd('a-release-rq');
  return { type: 'A-RELEASE-RQ' };
}

export function encodeReleaseRq(_value: ReleaseRq = { type: 'A-RELEASE-RQ' }): Buffer {
  return encodeFourByteBody(PduType.A_RELEASE_RQ, 0, 0, 0);
}
