/**
 * Abstract Syntax Sub-Item (PS3.8 §9.3.2.2.1, Table 9-14).
 *   offset 0  length 1  Item-type 0x30
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length
 *   offset 4  length n  Abstract-syntax-name (a SOP Class UID)
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { writeItem } from '../item-header.js';
import { ItemType } from '../pdu-type.js';

export function readAbstractSyntax(body: ByteReader): string {
  return body.trimmedString(body.remaining, 'abstract-syntax-name');
}

export function writeAbstractSyntax(w: ByteWriter, uid: string): void {
  writeItem(w, ItemType.ABSTRACT_SYNTAX, (b) => b.string(uid, 'abstract-syntax-name'));
}
