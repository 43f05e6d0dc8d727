/**
 * Maximum Length Sub-Item (PS3.8 Annex D.1, Table D.1-1 RQ / D.1-2 AC).
 *   offset 0  length 1  Item-type 0x51
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length (4)
 *   offset 4  length 4  Maximum-length-received (0 = no limit)
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { writeItem } from '../item-header.js';
import { ItemType } from '../pdu-type.js';

export function readMaximumLength(body: ByteReader): number {
  const maxLength = body.u32('maximum-length-received');
  body.expectEnd('maximum-length');
  return maxLength;
}

export function writeMaximumLength(w: ByteWriter, maxLength: number): void {
  writeItem(w, ItemType.MAXIMUM_LENGTH, (b) => b.u32(maxLength, 'maximum-length-received'));
}
