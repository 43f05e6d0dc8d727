// Shared primitives of the event schema. Values decoded from the peer are permissive in content
// (strings may be empty or long) but strict in shape: every object is closed.
import { type TProperties, Type } from '@sinclair/typebox';

/** A closed object: unknown properties are a validation error. */
export function Strict<T extends TProperties>(
  properties: T,
  options: { $id?: string; description?: string } = {},
) {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

export const Uint8 = Type.Integer({ minimum: 0, maximum: 0xff });
export const Uint16 = Type.Integer({ minimum: 0, maximum: 0xffff });
export const Uint32 = Type.Integer({ minimum: 0, maximum: 0xffffffff });
export const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** A UUID (any version), lowercase canonical form. */
export const Uuid = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$',
});
/** A UUIDv7 (RFC 9562), lowercase canonical form. */
export const UuidV7 = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$',
});
/** RFC 3339, UTC, exactly six fractional digits: 2026-11-25T11:09:59.123456Z */
export const Timestamp = Type.String({
  pattern:
    '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)\\.[0-9]{6}Z$',
});
export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const Hex = Type.String({ pattern: '^([0-9a-f]{2})*$' });
/**
 * No C0 control character (U+0000-U+001F) and no DEL: what PS3.5 allows in AE titles (§6.2, AE) and UIDs (§9.1,
 * digits and '.') holds none. A peer that sends one is refused at PDU decode; an envelope that still carries one
 * fails validation with a reason that names it (validate.ts), and Postgres, which cannot store U+0000, never
 * sees it.
 */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001F\\u007F]*$';
/** A DICOM UID as decoded from the wire (peer-controlled: only control characters are refused). */
export const Uid = Type.String({ pattern: NO_CONTROL_CHARACTERS });
/** An AE title, trimmed; '' when not (yet) known, e.g. before the A-ASSOCIATE-RQ. No control characters. */
export const AeTitle = Type.String({ pattern: NO_CONTROL_CHARACTERS });
/** A DICOM attribute tag, PS3.18 F.2 style: 8 uppercase hex digits, group then element. */
export const Tag = Type.String({ pattern: '^[0-9A-F]{8}$' });
/** A name from a code table (reject reasons, PDU types, ...). */
export const Name = Type.String({ minLength: 1 });
