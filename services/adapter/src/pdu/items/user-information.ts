/**
 * User Information Item (PS3.8 §9.3.2.3, Table 9-16 RQ; §9.3.3.3, Table 9-20 AC).
 *   offset 0  length 1  Item-type 0x50
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length
 *   offset 4  length n  User-data: sub-items (PS3.8 Annex D, PS3.7 Annex D.3.3):
 *     0x51 maximum length            0x52 implementation class UID   0x53 asynchronous operations window
 *     0x54 SCP/SCU role selection*   0x55 implementation version name 0x56 SOP class extended negotiation*
 *     0x57 SOP class common extended negotiation*                      0x58 user identity (RQ) 0x59 (AC)
 *   (* = may repeat). Unknown sub-items are kept as `{ itemType, data }`: PS3.7 D.3.3 says to ignore them.
 * Encoding writes the sub-items in item-type order, then the unknown ones, as DCMTK does.
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { type RawItem, readItems, unexpectedItem, writeItem } from '../item-header.js';
import { ItemType } from '../pdu-type.js';
import {
  type AsyncOperationsWindow,
  readAsyncOperationsWindow,
  writeAsyncOperationsWindow,
} from './async-operations-window.js';
import { readImplementationClassUid, writeImplementationClassUid } from './implementation-class-uid.js';
import {
  readImplementationVersionName,
  writeImplementationVersionName,
} from './implementation-version-name.js';
import { readMaximumLength, writeMaximumLength } from './maximum-length.js';
import { type RoleSelection, readRoleSelection, writeRoleSelection } from './role-selection.js';
import {
  readSopClassCommonExtendedNegotiation,
  type SopClassCommonExtendedNegotiation,
  writeSopClassCommonExtendedNegotiation,
} from './sop-class-common-extended-negotiation.js';
import {
  readSopClassExtendedNegotiation,
  type SopClassExtendedNegotiation,
  writeSopClassExtendedNegotiation,
} from './sop-class-extended-negotiation.js';
import { readUserIdentityAc, type UserIdentityAc, writeUserIdentityAc } from './user-identity-ac.js';
import { readUserIdentityRq, type UserIdentityRq, writeUserIdentityRq } from './user-identity-rq.js';

export interface UserInformation {
  maxLength?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  asyncOps?: AsyncOperationsWindow;
  roleSelections: RoleSelection[];
  sopClassExtended: SopClassExtendedNegotiation[];
  sopClassCommonExtended: SopClassCommonExtendedNegotiation[];
  userIdentity?: UserIdentityRq;
  userIdentityAc?: UserIdentityAc;
  unknownItems: { itemType: number; data: Buffer }[];
}

export function emptyUserInformation(): UserInformation {
  return { roleSelections: [], sopClassExtended: [], sopClassCommonExtended: [], unknownItems: [] };
}

const WHERE = 'user-information';

export function readUserInformation(body: ByteReader): UserInformation {
  const info = emptyUserInformation();
  for (const item of readItems(body, WHERE)) readSubItem(info, item);
  return info;
}

type Singleton =
  | 'maxLength'
  | 'implementationClassUid'
  | 'implementationVersionName'
  | 'asyncOps'
  | 'userIdentity'
  | 'userIdentityAc';

function setOnce<K extends Singleton>(
  info: UserInformation,
  key: K,
  item: RawItem,
  value: UserInformation[K],
): void {
  if (info[key] !== undefined) throw unexpectedItem(item, WHERE, 'repeated');
  info[key] = value;
}

function readSubItem(info: UserInformation, item: RawItem): void {
  const b = item.body;
  switch (item.itemType) {
    case ItemType.MAXIMUM_LENGTH:
      setOnce(info, 'maxLength', item, readMaximumLength(b));
      return;
    case ItemType.IMPLEMENTATION_CLASS_UID:
      setOnce(info, 'implementationClassUid', item, readImplementationClassUid(b));
      return;
    case ItemType.ASYNC_OPERATIONS_WINDOW:
      setOnce(info, 'asyncOps', item, readAsyncOperationsWindow(b));
      return;
    case ItemType.ROLE_SELECTION:
      info.roleSelections.push(readRoleSelection(b));
      return;
    case ItemType.IMPLEMENTATION_VERSION_NAME:
      setOnce(info, 'implementationVersionName', item, readImplementationVersionName(b));
      return;
    case ItemType.SOP_CLASS_EXTENDED_NEGOTIATION:
      info.sopClassExtended.push(readSopClassExtendedNegotiation(b));
      return;
    case ItemType.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION:
      info.sopClassCommonExtended.push(readSopClassCommonExtendedNegotiation(b));
      return;
    case ItemType.USER_IDENTITY_RQ:
      setOnce(info, 'userIdentity', item, readUserIdentityRq(b));
      return;
    case ItemType.USER_IDENTITY_AC:
      setOnce(info, 'userIdentityAc', item, readUserIdentityAc(b));
      return;
    default:
      info.unknownItems.push({ itemType: item.itemType, data: b.rest() });
  }
}

export function writeUserInformation(w: ByteWriter, info: UserInformation): void {
  writeItem(w, ItemType.USER_INFORMATION, (b) => {
    if (info.maxLength !== undefined) writeMaximumLength(b, info.maxLength);
    if (info.implementationClassUid !== undefined)
      writeImplementationClassUid(b, info.implementationClassUid);
    if (info.asyncOps !== undefined) writeAsyncOperationsWindow(b, info.asyncOps);
    for (const role of info.roleSelections) writeRoleSelection(b, role);
    if (info.implementationVersionName !== undefined) {
      writeImplementationVersionName(b, info.implementationVersionName);
    }
    for (const ext of info.sopClassExtended) writeSopClassExtendedNegotiation(b, ext);
    for (const ext of info.sopClassCommonExtended) writeSopClassCommonExtendedNegotiation(b, ext);
    if (info.userIdentity !== undefined) writeUserIdentityRq(b, info.userIdentity);
    if (info.userIdentityAc !== undefined) writeUserIdentityAc(b, info.userIdentityAc);
    for (const unknown of info.unknownItems) writeItem(b, unknown.itemType, (u) => u.bytes(unknown.data));
  });
}
