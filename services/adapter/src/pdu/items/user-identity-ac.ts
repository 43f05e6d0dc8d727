/**
 * User Identity Negotiation Sub-Item, A-ASSOCIATE-AC (PS3.7 Annex D.3.3.7, Table D.3-15).
 *   offset 0  length 1  Item-type 0x59
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length
 *   offset 4  length 2  Server-response-length
 *   offset 6  length n  Server-response (Kerberos server ticket, SAML response or JWT; empty for types 1-2)
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { writeItem } from '../item-header.js';
import { ItemType } from '../pdu-type.js';

export interface UserIdentityAc {
  serverResponse: Buffer;
}

export function readUserIdentityAc(body: ByteReader): UserIdentityAc {
  const lengthOffset = body.offset;
  const length = body.u16('user-identity-ac.server-response-length');
  const serverResponse = body.sub(length, 'user-identity-ac.server-response-length', lengthOffset).rest();
  body.expectEnd('user-identity-ac');
  return { serverResponse };
}

export function writeUserIdentityAc(w: ByteWriter, value: UserIdentityAc): void {
  writeItem(w, ItemType.USER_IDENTITY_AC, (b) => {
    b.u16(value.serverResponse.length, 'user-identity-ac.server-response-length').bytes(value.serverResponse);
  });
}
