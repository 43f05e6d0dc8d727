/**
 * User Identity Negotiation Sub-Item, A-ASSOCIATE-RQ (PS3.7 Annex D.3.3.7, Table D.3-14).
 *   offset 0    length 1  Item-type 0x58
 *   offset 1    length 1  Reserved
 *   offset 2    length 2  Item-length
 *   offset 4    length 1  User-Identity-Type: 1 username, 2 username+passcode, 3 Kerberos service ticket,
 *                         4 SAML assertion, 5 JSON Web Token
 *   offset 5    length 1  Positive-response-requested (0 no, 1 yes)
 *   offset 6    length 2  Primary-field-length, then n bytes Primary-field
 *   offset 8+n  length 2  Secondary-field-length, then m bytes Secondary-field (non-empty only for type 2)
 * Fields are kept as bytes: they are credentials and are never logged (convention 8).
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { writeItem } from '../item-header.js';
import { PduError } from '../pdu-error.js';
import { ItemType } from '../pdu-type.js';

export type UserIdentityType = 1 | 2 | 3 | 4 | 5;

export interface UserIdentityRq {
  type: UserIdentityType;
  positiveResponseRequested: boolean;
  primaryField: Buffer;
  secondaryField: Buffer;
}

const F = 'user-identity';

export function readUserIdentityRq(body: ByteReader): UserIdentityRq {
  const typeOffset = body.offset;
  const type = body.u8(`${F}.user-identity-type`);
  if (type < 1 || type > 5) {
    throw new PduError('DT_ERR_PDU_INVALID_VALUE', `${F}.user-identity-type`, typeOffset, `type ${type}`);
  }
  const responseOffset = body.offset;
  const response = body.u8(`${F}.positive-response-requested`);
  if (response > 1) {
    const field = `${F}.positive-response-requested`;
    throw new PduError('DT_ERR_PDU_INVALID_VALUE', field, responseOffset, `value ${response} is not 0 or 1`);
  }
  const primaryField = readField(body, 'primary-field');
  const secondaryField = readField(body, 'secondary-field');
  body.expectEnd(F);
  return {
    type: type as UserIdentityType,
    positiveResponseRequested: response === 1,
    primaryField,
    secondaryField,
  };
}

export function writeUserIdentityRq(w: ByteWriter, value: UserIdentityRq): void {
  writeItem(w, ItemType.USER_IDENTITY_RQ, (b) => {
    b.u8(value.type, `${F}.user-identity-type`);
    b.u8(value.positiveResponseRequested ? 1 : 0, `${F}.positive-response-requested`);
    b.u16(value.primaryField.length, `${F}.primary-field-length`).bytes(value.primaryField);
    b.u16(value.secondaryField.length, `${F}.secondary-field-length`).bytes(value.secondaryField);
  });
}

function readField(body: ByteReader, name: string): Buffer {
  const lengthOffset = body.offset;
  const length = body.u16(`${F}.${name}-length`);
  return body.sub(length, `${F}.${name}-length`, lengthOffset).rest();
}
