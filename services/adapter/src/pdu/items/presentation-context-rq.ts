/**
 * Presentation Context Item, A-ASSOCIATE-RQ (PS3.8 §9.3.2.2, Table 9-13).
 *   offset 0  length 1  Item-type 0x20
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length
 *   offset 4  length 1  Presentation-context-ID (odd, 1..255)
 *   offset 5  length 3  Reserved
 *   offset 8  length n  one Abstract Syntax Sub-Item (0x30), then one or more Transfer Syntax Sub-Items (0x40)
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { readItems, unexpectedItem, unknownItem, writeItem } from '../item-header.js';
import { PduError } from '../pdu-error.js';
import { ItemType } from '../pdu-type.js';
import { readAbstractSyntax, writeAbstractSyntax } from './abstract-syntax.js';
import { readTransferSyntax, writeTransferSyntax } from './transfer-syntax.js';

export interface PresentationContextRq {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

const WHERE = 'presentation-context-rq';

export function readPresentationContextRq(body: ByteReader, itemOffset: number): PresentationContextRq {
  const id = body.u8('presentation-context-id');
  body.skip(3, `${WHERE}.reserved`);
  let abstractSyntax: string | undefined;
  const transferSyntaxes: string[] = [];
  for (const item of readItems(body, WHERE)) {
    if (item.itemType === ItemType.ABSTRACT_SYNTAX) {
      if (abstractSyntax !== undefined) throw unexpectedItem(item, WHERE, 'repeated');
      abstractSyntax = readAbstractSyntax(item.body);
    } else if (item.itemType === ItemType.TRANSFER_SYNTAX) {
      transferSyntaxes.push(readTransferSyntax(item.body));
    } else if (isKnownItem(item.itemType)) {
      throw unexpectedItem(item, WHERE, 'not allowed');
    } else {
      throw unknownItem(item, WHERE);
    }
  }
  if (abstractSyntax === undefined) {
    throw new PduError(
      'DT_ERR_PDU_MISSING_ITEM',
      `${WHERE}.abstract-syntax`,
      itemOffset,
      'no abstract syntax',
    );
  }
  if (transferSyntaxes.length === 0) {
    throw new PduError(
      'DT_ERR_PDU_MISSING_ITEM',
      `${WHERE}.transfer-syntax`,
      itemOffset,
      'no transfer syntax',
    );
  }
  return { id, abstractSyntax, transferSyntaxes };
}

export function writePresentationContextRq(w: ByteWriter, pc: PresentationContextRq): void {
  writeItem(w, ItemType.PRESENTATION_CONTEXT_RQ, (b) => {
    b.u8(pc.id, 'presentation-context-id').zeros(3);
    writeAbstractSyntax(b, pc.abstractSyntax);
    for (const ts of pc.transferSyntaxes) writeTransferSyntax(b, ts);
  });
}

function isKnownItem(itemType: number): boolean {
  return Object.values(ItemType).includes(itemType as never);
}
