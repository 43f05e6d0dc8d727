/**
 * A-ASSOCIATE-AC PDU (PS3.8 §9.3.3, Table 9-17).
 *   offset 0   length 1   PDU-type 0x02
 *   offset 1   length 1   Reserved
 *   offset 2   length 4   PDU-length
 *   offset 6   length 2   Protocol-version
 *   offset 8   length 2   Reserved
 *   offset 10  length 16  Reserved: the Called-AE-title of the RQ, echoed, "not tested"
 *   offset 26  length 16  Reserved: the Calling-AE-title of the RQ, echoed, "not tested"
 *   offset 42  length 32  Reserved
 *   offset 74  length n   Variable items: one Application Context Item (0x10), one or more Presentation
 *                         Context Items (0x21), one User Information Item (0x50)
 */
import { readAssociateFixedFields, writeAssociateFixedFields } from './associate-header.js';
import { requireItems } from './associate-rq.js';
import { readItems, unexpectedItem, unknownItem } from './item-header.js';
import { readApplicationContext, writeApplicationContext } from './items/application-context.js';
import {
  type PresentationContextAc,
  readPresentationContextAc,
  writePresentationContextAc,
} from './items/presentation-context-ac.js';
import { readUserInformation, type UserInformation, writeUserInformation } from './items/user-information.js';
import { beginPdu, finishPdu } from './pdu-header.js';
import { ItemType, PduType } from './pdu-type.js';

export interface AssociateAc {
  type: 'A-ASSOCIATE-AC';
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContextName: string;
  presentationContexts: PresentationContextAc[];
  userInformation: UserInformation;
}

const WHERE = 'a-associate-ac';

export function decodeAssociateAc(body: Buffer): AssociateAc {
  const { fixed, items } = readAssociateFixedFields(body);
  let applicationContextName: string | undefined;
  let userInformation: UserInformation | undefined;
  const presentationContexts: PresentationContextAc[] = [];
  for (const item of readItems(items, WHERE)) {
    if (item.itemType === ItemType.APPLICATION_CONTEXT) {
      if (applicationContextName !== undefined) throw unexpectedItem(item, WHERE, 'repeated');
      applicationContextName = readApplicationContext(item.body);
    } else if (item.itemType === ItemType.PRESENTATION_CONTEXT_AC) {
      presentationContexts.push(readPresentationContextAc(item.body));
    } else if (item.itemType === ItemType.USER_INFORMATION) {
      if (userInformation !== undefined) throw unexpectedItem(item, WHERE, 'repeated');
      userInformation = readUserInformation(item.body);
    } else if (item.itemType === ItemType.PRESENTATION_CONTEXT_RQ) {
      throw unexpectedItem(item, WHERE, 'not allowed');
    } else {
      throw unknownItem(item, WHERE);
    }
  }
  const variable = requireItems(WHERE, applicationContextName, presentationContexts, userInformation);
  return { type: 'A-ASSOCIATE-AC', ...fixed, ...variable };
}

export function encodeAssociateAc(value: AssociateAc): Buffer {
  const w = beginPdu(PduType.A_ASSOCIATE_AC, 512);
  writeAssociateFixedFields(w, value);
  writeApplicationContext(w, value.applicationContextName);
  for (const pc of value.presentationContexts) writePresentationContextAc(w, pc);
  writeUserInformation(w, value.userInformation);
  return finishPdu(w);
}
