/**
 * encodePdu: a PDU value to its whole wire form (6-byte header + body, PS3.8 §9.3.1), by one switch on `type`.
 *   offset 0  length 1  PDU-type    offset 1  length 1  Reserved (0)    offset 2  length 4  PDU-length
 */
import { encodeAbort } from './abort.js';
import { encodeAssociateAc } from './associate-ac.js';
import { encodeAssociateRj } from './associate-rj.js';
import { encodeAssociateRq } from './associate-rq.js';
import { encodePDataTf } from './p-data-tf.js';
import type { Pdu } from './pdu.js';
import { encodeReleaseRp } from './release-rp.js';
import { encodeReleaseRq } from './release-rq.js';

export function encodePdu(pdu: Pdu): Buffer {
  switch (pdu.type) {
    case 'A-ASSOCIATE-RQ':
      return encodeAssociateRq(pdu);
    case 'A-ASSOCIATE-AC':
      return encodeAssociateAc(pdu);
    case 'A-ASSOCIATE-RJ':
      return encodeAssociateRj(pdu);
    case 'P-DATA-TF':
      return encodePDataTf(pdu);
    case 'A-RELEASE-RQ':
      return encodeReleaseRq(pdu);
    case 'A-RELEASE-RP':
      return encodeReleaseRp(pdu);
    case 'A-ABORT':
      return encodeAbort(pdu);
  }
}
