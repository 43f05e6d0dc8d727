/**
 * The header shared by every variable item and sub-item of the association PDUs.
 *
 * PS3.8 Table 9-12 ff. (and PS3.7 Annex D.3.3 sub-items):
 *   offset 0  length 1  Item-type
 *   offset 1  length 1  Reserved (the sub-item version for 0x57, PS3.7 Table D.3-12)
 *   offset 2  length 2  Item-length (bytes that follow)
 *   offset 4  length n  item body
 */
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { PduError } from './pdu-error.js';

export interface RawItem {
  itemType: number;
  /** Offset of the item-type byte within the PDU. */
  offset: number;
  /** A reader over exactly the item body. */
  body: ByteReader;
}

/** Reads items until `r` is exhausted; each item's length must fit inside `r`. */
export function* readItems(r: ByteReader, field: string): Generator<RawItem> {
  while (r.remaining > 0) {
    const offset = r.offset;
    const itemType = r.u8(`${field}.item-type`);
    r.skip(1, `${field}.reserved`);
    const lengthOffset = r.offset;
    const length = r.u16(`${field}.item-length`);
    yield { itemType, offset, body: r.sub(length, `${field}.item-length`, lengthOffset) };
  }
}

/** Writes one item: header, body from `writeBody`, then the patched item-length. */
export function writeItem(
  w: ByteWriter,
  itemType: number,
  writeBody: (w: ByteWriter) => void,
  reserved = 0,
): void {
  w.u8(itemType, 'item-type').u8(reserved, 'reserved');
  const at = w.reserveLength16();
  writeBody(w);
  w.patchLength16(at, `item 0x${itemType.toString(16)} item-length`);
}

export function unknownItem(item: RawItem, where: string): PduError {
  return new PduError(
    'DT_ERR_PDU_UNKNOWN_ITEM',
    `${where}.item-type`,
    item.offset,
    `unknown item type 0x${item.itemType.toString(16).padStart(2, '0')} in ${where}`,
  );
}

export function unexpectedItem(item: RawItem, where: string, why: string): PduError {
  return new PduError(
    'DT_ERR_PDU_UNEXPECTED_ITEM',
    `${where}.item-type`,
    item.offset,
    `item type 0x${item.itemType.toString(16).padStart(2, '0')} ${why} in ${where}`,
  );
}

/** Reads a u16-length-prefixed UID or string (role selection, SOP class negotiation). */
export function readLengthPrefixedUid(r: ByteReader, field: string): string {
  const lengthOffset = r.offset;
  const length = r.u16(`${field}-length`);
  return r
    .sub(length, `${field}-length`, lengthOffset)
    .rest()
    .toString('latin1')
    .replace(/[ \0]+$/, '');
}

export function writeLengthPrefixed(w: ByteWriter, value: string, field: string): void {
  const at = w.reserveLength16();
  w.string(value, field);
  w.patchLength16(at, `${field}-length`);
}
