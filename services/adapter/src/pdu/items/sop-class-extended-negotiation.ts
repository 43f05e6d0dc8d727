/**
 * SOP Class Extended Negotiation Sub-Item (PS3.7 Annex D.3.3.5, Table D.3-11; same layout in the AC).
 *   offset 0    length 2  Item-type 0x56, Reserved
 *   offset 2    length 2  Item-length
 *   offset 4    length 2  SOP-class-uid-length
 *   offset 6    length n  SOP-class-uid
 *   offset 6+n  length m  Service-class-application-information (rest of the item, PS3.4 defines it)
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { readLengthPrefixedUid, writeItem, writeLengthPrefixed } from '../item-header.js';
import { ItemType } from '../pdu-type.js';

export interface SopClassExtendedNegotiation {
  sopClassUid: string;
  info: Buffer;
}

export function readSopClassExtendedNegotiation(body: ByteReader): SopClassExtendedNegotiation {
  const sopClassUid = readLengthPrefixedUid(body, 'sop-class-extended.sop-class-uid');
  return { sopClassUid, info: body.rest() };
}

export function writeSopClassExtendedNegotiation(w: ByteWriter, value: SopClassExtendedNegotiation): void {
  writeItem(w, ItemType.SOP_CLASS_EXTENDED_NEGOTIATION, (b) => {
    writeLengthPrefixed(b, value.sopClassUid, 'sop-class-extended.sop-class-uid');
    b.bytes(value.info);
  });
}
