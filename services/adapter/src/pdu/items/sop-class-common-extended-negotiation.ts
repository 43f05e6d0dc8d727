/**
 * SOP Class Common Extended Negotiation Sub-Item (PS3.7 Annex D.3.3.6, Table D.3-12; RQ only).
 *   offset 0      length 1  Item-type 0x57
 *   offset 1      length 1  Sub-item-version (0)
 *   offset 2      length 2  Item-length
 *   offset 4      length 2  SOP-class-uid-length, then n bytes SOP-class-uid
 *   offset 6+n    length 2  Service-class-uid-length, then m bytes Service-class-uid
 *   offset 8+n+m  length 2  Related-general-sop-class-identification-length, then k bytes of
 *                           Related General SOP Class Identification sub-items (Table D.3-13):
 *                           2 bytes Related-general-sop-class-uid-length, then the UID
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { readLengthPrefixedUid, writeItem, writeLengthPrefixed } from '../item-header.js';
import { ItemType } from '../pdu-type.js';

export interface SopClassCommonExtendedNegotiation {
  sopClassUid: string;
  serviceClassUid: string;
  relatedGeneralSopClassUids: string[];
}

const F = 'sop-class-common-extended';

export function readSopClassCommonExtendedNegotiation(body: ByteReader): SopClassCommonExtendedNegotiation {
  const sopClassUid = readLengthPrefixedUid(body, `${F}.sop-class-uid`);
  const serviceClassUid = readLengthPrefixedUid(body, `${F}.service-class-uid`);
  const lengthOffset = body.offset;
  const length = body.u16(`${F}.related-general-sop-class-identification-length`);
  const related = body.sub(length, `${F}.related-general-sop-class-identification-length`, lengthOffset);
  const relatedGeneralSopClassUids: string[] = [];
  while (related.remaining > 0) {
    relatedGeneralSopClassUids.push(readLengthPrefixedUid(related, `${F}.related-general-sop-class-uid`));
  }
  body.expectEnd(F);
  return { sopClassUid, serviceClassUid, relatedGeneralSopClassUids };
}

export function writeSopClassCommonExtendedNegotiation(
  w: ByteWriter,
  value: SopClassCommonExtendedNegotiation,
): void {
  writeItem(w, ItemType.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION, (b) => {
    writeLengthPrefixed(b, value.sopClassUid, `${F}.sop-class-uid`);
    writeLengthPrefixed(b, value.serviceClassUid, `${F}.service-class-uid`);
    const at = b.reserveLength16();
    for (const uid of value.relatedGeneralSopClassUids) {
      writeLengthPrefixed(b, uid, `${F}.related-general-sop-class-uid`);
    }
    b.patchLength16(at, `${F}.related-general-sop-class-identification-length`);
  });
}
