/**
 * A-ASSOCIATE-RQ PDU (PS3.8 §9.3.2, Table 9-11).
 *   offset 0   length 1   PDU-type 0x01
 *   offset 1   length 1   Reserved
 *   offset 2   length 4   PDU-length
 *   offset 6   length 2   Protocol-version
 *   offset 8   length 2   Reserved
 *   offset 10  length 16  Called-AE-title
 *   offset 26  length 16  Calling-AE-title
 *   offset 42  length 32  Reserved
 *   offset 74  length n   Variable items: one Application Context Item (0x10), one or more Presentation
 *                         Context Items (0x20), one User Information Item (0x50)
 * Any other item type is an error: unknown → reason 4, known but misplaced or repeated → reason 5.
 */
import { readAssociateFixedFields, writeAssociateFixedFields } from './associate-header.js';
import type { ByteReader } from './byte-reader.js';
import { readItems, unexpectedItem, unknownItem } from './item-header.js';
import { readApplicationContext, writeApplicationContext } from './items/application-context.js';
import {
  type PresentationContextRq,
  readPresentationContextRq,
  writePresentationContextRq,
} from './items/presentation-context-rq.js';
import { readUserInformation, type UserInformation, writeUserInformation } from './items/user-information.js';
import { PduError } from './pdu-error.js';
import { beginPdu, finishPdu } from './pdu-header.js';
import { ItemType, PDU_HEADER_LENGTH, PduType } from './pdu-type.js';

export interface AssociateRq {
  type: 'A-ASSOCIATE-RQ';
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContextName: string;
  presentationContexts: PresentationContextRq[];
  userInformation: UserInformation;
}

const WHERE = 'a-associate-rq';

export function decodeAssociateRq(body: Buffer): AssociateRq {
  const { fixed, items } = readAssociateFixedFields(body);
  return { type: 'A-ASSOCIATE-RQ', ...fixed, ...readVariableItems(items) };
}

type VariableItems = Pick<AssociateRq, 'applicationContextName' | 'presentationContexts' | 'userInformation'>;

function readVariableItems(r: ByteReader): VariableItems {
  let applicationContextName: string | undefined;
  let userInformation: UserInformation | undefined;
  const presentationContexts: PresentationContextRq[] = [];
  for (const item of readItems(r, WHERE)) {
    if (item.itemType === ItemType.APPLICATION_CONTEXT) {
      if (applicationContextName !== undefined) throw unexpectedItem(item, WHERE, 'repeated');
      applicationContextName = readApplicationContext(item.body);
    } else if (item.itemType === ItemType.PRESENTATION_CONTEXT_RQ) {
      presentationContexts.push(readPresentationContextRq(item.body, item.offset));
    } else if (item.itemType === ItemType.USER_INFORMATION) {
      if (userInformation !== undefined) throw unexpectedItem(item, WHERE, 'repeated');
      userInformation = readUserInformation(item.body);
    } else if (item.itemType === ItemType.PRESENTATION_CONTEXT_AC) {
      throw unexpectedItem(item, WHERE, 'not allowed');
    } else {
      throw unknownItem(item, WHERE);
    }
  }
  return requireItems(WHERE, applicationContextName, presentationContexts, userInformation);
}

/** Shared with the A-ASSOCIATE-AC: the three mandatory kinds of variable item must all be present. */
export function requireItems<P>(
  where: string,
  applicationContextName: string | undefined,
  presentationContexts: P[],
  userInformation: UserInformation | undefined,
): { applicationContextName: string; presentationContexts: P[]; userInformation: UserInformation } {
  const missing = (field: string) =>
    new PduError('DT_ERR_PDU_MISSING_ITEM', `${where}.${field}`, PDU_HEADER_LENGTH + 68, `no ${field} item`);
  if (applicationContextName === undefined) throw missing('application-context');
  if (presentationContexts.length === 0) throw missing('presentation-context');
  if (userInformation === undefined) throw missing('user-information');
  return { applicationContextName, presentationContexts, userInformation };
}

export function encodeAssociateRq(value: AssociateRq): Buffer {
  const w = beginPdu(PduType.A_ASSOCIATE_RQ, 1024);
  writeAssociateFixedFields(w, value);
  writeApplicationContext(w, value.applicationContextName);
  for (const pc of value.presentationContexts) writePresentationContextRq(w, pc);
  writeUserInformation(w, value.userInformation);
  return finishPdu(w);
}
