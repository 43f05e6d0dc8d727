/**
 * Implementation Class UID Sub-Item (PS3.7 Annex D.3.3.2, Table D.3-1 RQ / D.3-2 AC).
 *   offset 0  length 1  Item-type 0x52
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length
 *   offset 4  length n  Implementation-class-uid
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { writeItem } from '../item-header.js';
import { ItemType } from '../pdu-type.js';

export function readImplementationClassUid(body: ByteReader): string {
  return body.trimmedString(body.remaining, 'implementation-class-uid');
}

export function writeImplementationClassUid(w: ByteWriter, uid: string): void {
  writeItem(w, ItemType.IMPLEMENTATION_CLASS_UID, (b) => b.string(uid, 'implementation-class-uid'));
}
