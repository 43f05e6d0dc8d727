/**
 * Malformed PDU streams and the PduError each must produce (STYLE §1.5, ws-style table).
 * Exported for reuse: a socket-level test can write `bytes` to the adapter and expect an A-ABORT with
 * source 2 and `reason`. `via: 'framer'` cases are caught by PduFramer from the header alone (decodePdu
 * also rejects the unknown types); `via: 'decode'` cases frame fine and fail in decodePdu.
 * PS3.8 §9.3 tables 9-11 .. 9-26 and PS3.7 Annex D.3.3 give the layouts the cases break.
 */
import type { AbortReason, PduErrorCode } from './pdu-error.js';

export interface MalformedCase {
  name: string;
  bytes: Buffer;
  via: 'framer' | 'decode';
  code: PduErrorCode;
  reason: AbortReason;
  /** Framer limit for 'framer' cases. */
  maxPduLength?: number;
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const u16 = (n: number) => hex(n.toString(16).padStart(4, '0'));
const u32 = (n: number) => hex((n >>> 0).toString(16).padStart(8, '0'));
const str = (s: string) => Buffer.from(s, 'latin1');

/** A PDU: type, reserved, PDU-length, body (PS3.8 §9.3.1). `lengthDelta` lies about the length. */
export function pdu(type: number, body: Buffer, lengthDelta = 0): Buffer {
  return Buffer.concat([Buffer.from([type, 0]), u32(body.length + lengthDelta), body]);
}

/** An item or sub-item: type, reserved, item-length, body. `lengthDelta` lies about the length. */
export function item(type: number, body: Buffer, lengthDelta = 0): Buffer {
  return Buffer.concat([Buffer.from([type, 0]), u16(body.length + lengthDelta), body]);
}

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const fixedFields = Buffer.concat([
  u16(1),
  u16(0),
  str('CALLED          '),
  str('CALLER          '),
  Buffer.alloc(32),
]);
/** The valid RQ's fixed fields with another calling AE title (16 bytes as given, not padded). */
const withCallingAe = (title16: Buffer) =>
  Buffer.concat([u16(1), u16(0), str('CALLED          '), title16, Buffer.alloc(32)]);
const appContext = item(0x10, str('1.2.840.10008.3.1.1.1'));
const presCtx = (...subItems: Buffer[]) => item(0x20, Buffer.concat([hex('01000000'), ...subItems]));
const goodPresCtx = presCtx(item(0x30, str(VERIFICATION)), item(0x40, str(IMPLICIT_LE)));
const maxLength = item(0x51, u32(16384));
const userInfo = (...subItems: Buffer[]) => item(0x50, Buffer.concat([maxLength, ...subItems]));

/** A-ASSOCIATE-RQ (0x01) with the given variable items. */
export function associateRq(...items: Buffer[]): Buffer {
  return pdu(0x01, Buffer.concat([fixedFields, ...items]));
}

/** A valid A-ASSOCIATE-RQ: one verification context, max length 16384. */
export const validAssociateRq = associateRq(appContext, goodPresCtx, userInfo());

const rqWithUserInfo = (...subItems: Buffer[]) => associateRq(appContext, goodPresCtx, userInfo(...subItems));
const pdv = (length: number, rest: Buffer) => Buffer.concat([u32(length), rest]);
const userIdentity = (type: number, primary: Buffer, primaryLengthDelta = 0) =>
  item(
    0x58,
    Buffer.concat([Buffer.from([type, 0]), u16(primary.length + primaryLengthDelta), primary, u16(0)]),
  );

const F = 'framer' as const;
const D = 'decode' as const;

export const malformedCases: readonly MalformedCase[] = [
  { name: 'truncated PDU header', bytes: hex('0100000000'), via: D, code: 'DT_ERR_PDU_TRUNCATED', reason: 6 },
  {
    name: 'unknown PDU type 0x08',
    bytes: pdu(0x08, Buffer.alloc(4)),
    via: F,
    code: 'DT_ERR_PDU_UNKNOWN_TYPE',
    reason: 1,
    maxPduLength: 16384,
  },
  {
    name: 'unknown PDU type 0x00',
    bytes: pdu(0x00, Buffer.alloc(4)),
    via: F,
    code: 'DT_ERR_PDU_UNKNOWN_TYPE',
    reason: 1,
    maxPduLength: 16384,
  },
  {
    name: 'unknown PDU type, header only',
    bytes: hex('ff'),
    via: F,
    code: 'DT_ERR_PDU_UNKNOWN_TYPE',
    reason: 1,
    maxPduLength: 16384,
  },
  {
    name: 'PDU-length 0xFFFFFFFF',
    bytes: hex('04 00 ffffffff'),
    via: F,
    code: 'DT_ERR_PDU_TOO_LARGE',
    reason: 6,
    maxPduLength: 16384,
  },
  {
    name: 'PDU-length one over the maximum',
    bytes: pdu(0x04, pdv(16379, Buffer.alloc(16379))),
    via: F,
    code: 'DT_ERR_PDU_TOO_LARGE',
    reason: 6,
    maxPduLength: 16382,
  },
  {
    name: 'PDU-length beyond the buffer',
    bytes: pdu(0x05, Buffer.alloc(4), 10),
    via: D,
    code: 'DT_ERR_PDU_TRUNCATED',
    reason: 6,
  },
  {
    name: 'bytes after the PDU',
    bytes: Buffer.concat([pdu(0x05, Buffer.alloc(4)), hex('00')]),
    via: D,
    code: 'DT_ERR_PDU_TRAILING_BYTES',
    reason: 6,
  },
  {
    name: 'RQ: protocol-version field truncated',
    bytes: pdu(0x01, hex('00')),
    via: D,
    code: 'DT_ERR_PDU_TRUNCATED',
    reason: 6,
  },
  {
    name: 'RQ: calling AE title truncated',
    bytes: pdu(0x01, fixedFields.subarray(0, 30)),
    via: D,
    code: 'DT_ERR_PDU_TRUNCATED',
    reason: 6,
  },
  {
    name: 'RQ: item length overruns the PDU',
    bytes: associateRq(item(0x10, str('1.2.840.10008.3.1.1.1'), 200)),
    via: D,
    code: 'DT_ERR_PDU_LENGTH_OVERRUN',
    reason: 6,
  },
  {
    name: 'RQ: item header truncated',
    bytes: associateRq(appContext, goodPresCtx, userInfo(), hex('5000')),
    via: D,
    code: 'DT_ERR_PDU_TRUNCATED',
    reason: 6,
  },
  {
    name: 'RQ: unknown item type 0x60',
    bytes: associateRq(appContext, goodPresCtx, item(0x60, hex('00')), userInfo()),
    via: D,
    code: 'DT_ERR_PDU_UNKNOWN_ITEM',
    reason: 4,
  },
  {
    name: 'RQ: AC presentation context item',
    bytes: associateRq(appContext, item(0x21, hex('01000000')), userInfo()),
    via: D,
    code: 'DT_ERR_PDU_UNEXPECTED_ITEM',
    reason: 5,
  },
  {
    name: 'RQ: two application context items',
    bytes: associateRq(appContext, appContext, goodPresCtx, userInfo()),
    via: D,
    code: 'DT_ERR_PDU_UNEXPECTED_ITEM',
    reason: 5,
  },
  {
    name: 'RQ: no application context item',
    bytes: associateRq(goodPresCtx, userInfo()),
    via: D,
    code: 'DT_ERR_PDU_MISSING_ITEM',
    reason: 6,
  },
  {
    name: 'RQ: no presentation context item',
    bytes: associateRq(appContext, userInfo()),
    via: D,
    code: 'DT_ERR_PDU_MISSING_ITEM',
    reason: 6,
  },
  {
    name: 'RQ: no user information item',
    bytes: associateRq(appContext, goodPresCtx),
    via: D,
    code: 'DT_ERR_PDU_MISSING_ITEM',
    reason: 6,
  },
  {
    name: 'RQ: presentation context with no transfer syntax',
    bytes: associateRq(appContext, presCtx(item(0x30, str(VERIFICATION))), userInfo()),
    via: D,
    code: 'DT_ERR_PDU_MISSING_ITEM',
    reason: 6,
  },
  {
    name: 'RQ: presentation context with no abstract syntax',
    bytes: associateRq(appContext, presCtx(item(0x40, str(IMPLICIT_LE))), userInfo()),
    via: D,
    code: 'DT_ERR_PDU_MISSING_ITEM',
    reason: 6,
  },
  {
    name: 'RQ: presentation context with unknown sub-item 0x41',
    bytes: associateRq(
      appContext,
      presCtx(item(0x30, str(VERIFICATION)), item(0x40, str(IMPLICIT_LE)), item(0x41, hex('00'))),
      userInfo(),
    ),
    via: D,
    code: 'DT_ERR_PDU_UNKNOWN_ITEM',
    reason: 4,
  },
  {
    name: 'RQ: presentation context fixed fields truncated',
    bytes: associateRq(appContext, item(0x20, hex('0100')), userInfo()),
    via: D,
    code: 'DT_ERR_PDU_TRUNCATED',
    reason: 6,
  },
  {
    name: 'RQ: user information sub-item overruns the item',
    bytes: rqWithUserInfo(item(0x52, str('1.2.3'), 40)),
    via: D,
    code: 'DT_ERR_PDU_LENGTH_OVERRUN',
    reason: 6,
  },
  {
    name: 'RQ: maximum length sub-item of 2 bytes',
    bytes: associateRq(appContext, goodPresCtx, item(0x50, item(0x51, hex('4000')))),
    via: D,
    code: 'DT_ERR_PDU_TRUNCATED',
    reason: 6,
  },
  {
    name: 'RQ: maximum length sub-item of 6 bytes',
    bytes: associateRq(appContext, goodPresCtx, item(0x50, item(0x51, hex('000040000000')))),
    via: D,
    code: 'DT_ERR_PDU_TRAILING_BYTES',
    reason: 6,
  },
  {
    name: 'RQ: two maximum length sub-items',
    bytes: rqWithUserInfo(maxLength),
    via: D,
    code: 'DT_ERR_PDU_UNEXPECTED_ITEM',
    reason: 5,
  },
  {
    name: 'RQ: role selection SCU role 2',
    bytes: rqWithUserInfo(item(0x54, Buffer.concat([u16(17), str(VERIFICATION), hex('0201')]))),
    via: D,
    code: 'DT_ERR_PDU_INVALID_VALUE',
    reason: 6,
  },
  {
    name: 'RQ: role selection UID length overrun',
    bytes: rqWithUserInfo(item(0x54, Buffer.concat([u16(99), str(VERIFICATION), hex('0001')]))),
    via: D,
    code: 'DT_ERR_PDU_LENGTH_OVERRUN',
    reason: 6,
  },
  {
    name: 'RQ: user identity type 6',
    bytes: rqWithUserInfo(userIdentity(6, str('alice'))),
    via: D,
    code: 'DT_ERR_PDU_INVALID_VALUE',
    reason: 6,
  },
  {
    name: 'RQ: user identity primary field overrun',
    bytes: rqWithUserInfo(userIdentity(1, str('alice'), 30)),
    via: D,
    code: 'DT_ERR_PDU_LENGTH_OVERRUN',
    reason: 6,
  },
  {
    name: 'AC: RQ presentation context item',
    bytes: pdu(0x02, Buffer.concat([fixedFields, appContext, goodPresCtx, userInfo()])),
    via: D,
    code: 'DT_ERR_PDU_UNEXPECTED_ITEM',
    reason: 5,
  },
  {
    name: 'P-DATA-TF: PDV length 0',
    bytes: pdu(0x04, pdv(0, Buffer.alloc(0))),
    via: D,
    code: 'DT_ERR_PDU_INVALID_VALUE',
    reason: 6,
  },
  {
    name: 'P-DATA-TF: PDV length 1',
    bytes: pdu(0x04, pdv(1, hex('01'))),
    via: D,
    code: 'DT_ERR_PDU_INVALID_VALUE',
    reason: 6,
  },
  {
    name: 'P-DATA-TF: PDV longer than the PDU',
    bytes: pdu(0x04, pdv(100, hex('0103 00000000'))),
    via: D,
    code: 'DT_ERR_PDU_LENGTH_OVERRUN',
    reason: 6,
  },
  {
    name: 'P-DATA-TF: PDV item-length truncated',
    bytes: pdu(0x04, hex('000000')),
    via: D,
    code: 'DT_ERR_PDU_TRUNCATED',
    reason: 6,
  },
  {
    name: 'P-DATA-TF: no PDV',
    bytes: pdu(0x04, Buffer.alloc(0)),
    via: D,
    code: 'DT_ERR_PDU_MISSING_ITEM',
    reason: 6,
  },
  {
    name: 'A-ASSOCIATE-RJ: body of 3 bytes',
    bytes: pdu(0x03, hex('000101')),
    via: D,
    code: 'DT_ERR_PDU_TRUNCATED',
    reason: 6,
  },
  {
    name: 'A-ASSOCIATE-RJ: result 3 (PS3.8 Table 9-21 has 1 and 2 only)',
    bytes: pdu(0x03, hex('00030101')),
    via: D,
    code: 'DT_ERR_PDU_INVALID_VALUE',
    reason: 6,
  },
  {
    name: 'A-ABORT: body of 6 bytes',
    bytes: pdu(0x07, Buffer.alloc(6)),
    via: D,
    code: 'DT_ERR_PDU_TRAILING_BYTES',
    reason: 6,
  },
  {
    name: 'A-RELEASE-RQ: empty body',
    bytes: pdu(0x05, Buffer.alloc(0)),
    via: D,
    code: 'DT_ERR_PDU_TRUNCATED',
    reason: 6,
  },
  {
    name: 'issue 16: RQ: calling AE title with a NUL inside',
    bytes: pdu(
      0x01,
      Buffer.concat([withCallingAe(str('EVIL\0AE         ')), appContext, goodPresCtx, userInfo()]),
    ),
    via: D,
    code: 'DT_ERR_PDU_INVALID_VALUE',
    reason: 6,
  },
  {
    name: 'issue 16: RQ: calling AE title with an escape character',
    bytes: pdu(
      0x01,
      Buffer.concat([withCallingAe(str('EVIL\x1b[2JAE     ')), appContext, goodPresCtx, userInfo()]),
    ),
    via: D,
    code: 'DT_ERR_PDU_INVALID_VALUE',
    reason: 6,
  },
  {
    name: 'issue 16: RQ: abstract syntax with a newline',
    bytes: associateRq(
      appContext,
      presCtx(item(0x30, str('1.2.840.10008.1.1\n')), item(0x40, str(IMPLICIT_LE))),
      userInfo(),
    ),
    via: D,
    code: 'DT_ERR_PDU_INVALID_VALUE',
    reason: 6,
  },
];
