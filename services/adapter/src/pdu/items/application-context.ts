/**
 * Application Context Item (PS3.8 §9.3.2.1, Table 9-12).
 *   offset 0  length 1  Item-type 0x10
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length
 *   offset 4  length n  Application-context-name (a UID, PS3.8 Annex A: 1.2.840.10008.3.1.1.1)
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { writeItem } from '../item-header.js';
import { ItemType } from '../pdu-type.js';

export function readApplicationContext(body: ByteReader): string {
  return body.trimmedString(body.remaining, 'application-context-name');
}

export function writeApplicationContext(w: ByteWriter, name: string): void {
  writeItem(w, ItemType.APPLICATION_CONTEXT, (b) => b.string(name, 'application-context-name'));
}
