/**
 * The fixed fields shared by A-ASSOCIATE-RQ (PS3.8 Table 9-11) and A-ASSOCIATE-AC (Table 9-17).
 * Offsets from the start of the PDU (the body starts at offset 6):
 *   offset 6   length 2   Protocol-version (bit 0 = version 1; ACSE, not the decoder, judges it)
 *   offset 8   length 2   Reserved
 *   offset 10  length 16  Called-AE-title (space padded; in the AC echoed and "not tested")
 *   offset 26  length 16  Calling-AE-title
 *   offset 42  length 32  Reserved
 *   offset 74  length n   Variable items
 */
import { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { PDU_HEADER_LENGTH } from './pdu-type.js';

export interface AssociateFixedFields {
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
}

/** Reads the fixed fields of `body`; returns them and a reader positioned at the variable items. */
export function readAssociateFixedFields(body: Buffer): { fixed: AssociateFixedFields; items: ByteReader } {
  const r = new ByteReader(body, PDU_HEADER_LENGTH);
  const protocolVersion = r.u16('protocol-version');
  r.skip(2, 'reserved');
  const calledAeTitle = r.aeTitle('called-ae-title');
  const callingAeTitle = r.aeTitle('calling-ae-title');
  r.skip(32, 'reserved');
  return { fixed: { protocolVersion, calledAeTitle, callingAeTitle }, items: r };
}

export function writeAssociateFixedFields(w: ByteWriter, fixed: AssociateFixedFields): void {
  w.u16(fixed.protocolVersion, 'protocol-version').zeros(2);
  w.aeTitle(fixed.calledAeTitle, 'called-ae-title');
  w.aeTitle(fixed.callingAeTitle, 'calling-ae-title');
  w.zeros(32);
}
