/**
 * PDU and item type codes of the DICOM upper layer.
 *
 * PS3.8 §9.3.1 (PDU header: offset 0 PDU-type, 1 reserved, 2..5 PDU-length, big endian) and Table 9-11 ff.:
 *   0x01 A-ASSOCIATE-RQ  0x02 A-ASSOCIATE-AC  0x03 A-ASSOCIATE-RJ  0x04 P-DATA-TF
 *   0x05 A-RELEASE-RQ    0x06 A-RELEASE-RP    0x07 A-ABORT
 * Item types: PS3.8 §9.3.2 (0x10 0x20 0x21 0x30 0x40 0x50), PS3.8 Annex D.1 (0x51) and PS3.7 Annex D.3.3 (0x52..0x59).
 */

export const PDU_HEADER_LENGTH = 6;
/** Item header: offset 0 item-type, 1 reserved, 2..3 item-length (PS3.8 Table 9-12 ff.). */
export const ITEM_HEADER_LENGTH = 4;

export const PduType = {
  A_ASSOCIATE_RQ: 0x01,
  A_ASSOCIATE_AC: 0x02,
  A_ASSOCIATE_RJ: 0x03,
  P_DATA_TF: 0x04,
  A_RELEASE_RQ: 0x05,
  A_RELEASE_RP: 0x06,
  A_ABORT: 0x07,
} as const;
export type PduTypeCode = (typeof PduType)[keyof typeof PduType];

export function isPduType(value: number): value is PduTypeCode {
  return value >= 0x01 && value <= 0x07;
}

export const ItemType = {
  APPLICATION_CONTEXT: 0x10,
  PRESENTATION_CONTEXT_RQ: 0x20,
  PRESENTATION_CONTEXT_AC: 0x21,
  ABSTRACT_SYNTAX: 0x30,
  TRANSFER_SYNTAX: 0x40,
  USER_INFORMATION: 0x50,
  MAXIMUM_LENGTH: 0x51,
  IMPLEMENTATION_CLASS_UID: 0x52,
  ASYNC_OPERATIONS_WINDOW: 0x53,
  ROLE_SELECTION: 0x54,
  IMPLEMENTATION_VERSION_NAME: 0x55,
  SOP_CLASS_EXTENDED_NEGOTIATION: 0x56,
  SOP_CLASS_COMMON_EXTENDED_NEGOTIATION: 0x57,
  USER_IDENTITY_RQ: 0x58,
  USER_IDENTITY_AC: 0x59,
} as const;
export type ItemTypeCode = (typeof ItemType)[keyof typeof ItemType];
