/**
 * Transfer Syntax Sub-Item (PS3.8 §9.3.2.2.2, Table 9-15; same layout in the A-ASSOCIATE-AC, Table 9-19).
 *   offset 0  length 1  Item-type 0x40
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length
 *   offset 4  length n  Transfer-syntax-name (a Transfer Syntax UID)
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { writeItem } from '../item-header.js';
import { ItemType } from '../pdu-type.js';

export function readTransferSyntax(body: ByteReader): string {
  return body.trimmedString(body.remaining, 'transfer-syntax-name');
}

export function writeTransferSyntax(w: ByteWriter, uid: string): void {
  writeItem(w, ItemType.TRANSFER_SYNTAX, (b) => b.string(uid, 'transfer-syntax-name'));
}
