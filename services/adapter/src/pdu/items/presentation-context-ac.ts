/**
 * Presentation Context Item, A-ASSOCIATE-AC (PS3.8 §9.3.3.2, Table 9-18).
 *   offset 0  length 1  Item-type 0x21
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length
 *   offset 4  length 1  Presentation-context-ID
 *   offset 5  length 1  Reserved
 *   offset 6  length 1  Result/Reason: 0 acceptance, 1 user-rejection, 2 no-reason (provider rejection),
 *                       3 abstract-syntax-not-supported, 4 transfer-syntaxes-not-supported
 *   offset 7  length 1  Reserved
 *   offset 8  length n  one Transfer Syntax Sub-Item (0x40); "not significant" unless the result is 0
 * The decoder keeps whatever transfer syntax is present (judging is ACSE's job); an absent or empty
 * sub-item decodes as `transferSyntax: undefined`, which encodes as an empty sub-item.
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { readItems, unexpectedItem, unknownItem, writeItem } from '../item-header.js';
import { ItemType } from '../pdu-type.js';
import { readTransferSyntax, writeTransferSyntax } from './transfer-syntax.js';

export interface PresentationContextAc {
  id: number;
  result: number;
  transferSyntax?: string;
}

const WHERE = 'presentation-context-ac';

export function readPresentationContextAc(body: ByteReader): PresentationContextAc {
  const id = body.u8('presentation-context-id');
  body.skip(1, `${WHERE}.reserved`);
  const result = body.u8('result-reason');
  body.skip(1, `${WHERE}.reserved`);
  let transferSyntax: string | undefined;
  let seen = false;
  for (const item of readItems(body, WHERE)) {
    if (item.itemType !== ItemType.TRANSFER_SYNTAX) {
      throw item.itemType === ItemType.ABSTRACT_SYNTAX
        ? unexpectedItem(item, WHERE, 'not allowed')
        : unknownItem(item, WHERE);
    }
    if (seen) throw unexpectedItem(item, WHERE, 'repeated');
    seen = true;
    const ts = readTransferSyntax(item.body);
    if (ts !== '') transferSyntax = ts;
  }
  return transferSyntax === undefined ? { id, result } : { id, result, transferSyntax };
}

export function writePresentationContextAc(w: ByteWriter, pc: PresentationContextAc): void {
  writeItem(w, ItemType.PRESENTATION_CONTEXT_AC, (b) => {
    b.u8(pc.id, 'presentation-context-id').zeros(1).u8(pc.result, 'result-reason').zeros(1);
    writeTransferSyntax(b, pc.transferSyntax ?? '');
  });
}
