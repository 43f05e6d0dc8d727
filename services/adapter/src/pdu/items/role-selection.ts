/**
 * SCP/SCU Role Selection Sub-Item (PS3.7 Annex D.3.3.4, Table D.3-9 RQ / D.3-10 AC).
 *   offset 0    length 1  Item-type 0x54
 *   offset 1    length 1  Reserved
 *   offset 2    length 2  Item-length
 *   offset 4    length 2  UID-length
 *   offset 6    length n  SOP-class-uid
 *   offset 6+n  length 1  SCU-role (0 or 1)
 *   offset 7+n  length 1  SCP-role (0 or 1)
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { readLengthPrefixedUid, writeItem, writeLengthPrefixed } from '../item-header.js';
import { PduError } from '../pdu-error.js';
import { ItemType } from '../pdu-type.js';

export interface RoleSelection {
  sopClassUid: string;
  scuRole: boolean;
  scpRole: boolean;
}

export function readRoleSelection(body: ByteReader): RoleSelection {
  const sopClassUid = readLengthPrefixedUid(body, 'role-selection.uid');
  const scuRole = readRole(body, 'scu-role');
  const scpRole = readRole(body, 'scp-role');
  body.expectEnd('role-selection');
  return { sopClassUid, scuRole, scpRole };
}

export function writeRoleSelection(w: ByteWriter, value: RoleSelection): void {
  writeItem(w, ItemType.ROLE_SELECTION, (b) => {
    writeLengthPrefixed(b, value.sopClassUid, 'role-selection.uid');
    b.u8(value.scuRole ? 1 : 0, 'scu-role').u8(value.scpRole ? 1 : 0, 'scp-role');
  });
}

function readRole(body: ByteReader, field: string): boolean {
  const offset = body.offset;
  const role = body.u8(field);
  if (role > 1) throw new PduError('DT_ERR_PDU_INVALID_VALUE', field, offset, `role ${role} is not 0 or 1`);
  return role === 1;
}
