/**
 * Implementation Version Name Sub-Item (PS3.7 Annex D.3.3.2, Table D.3-3 RQ / D.3-4 AC).
 *   offset 0  length 1  Item-type 0x55
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length (1..16)
 *   offset 4  length n  Implementation-version-name (ISO 646 characters)
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { writeItem } from '../item-header.js';
import { ItemType } from '../pdu-type.js';

export function readImplementationVersionName(body: ByteReader): string {
  return body.trimmedString(body.remaining, 'implementation-version-name');
}

export function writeImplementationVersionName(w: ByteWriter, name: string): void {
  writeItem(w, ItemType.IMPLEMENTATION_VERSION_NAME, (b) => b.string(name, 'implementation-version-name'));
}
