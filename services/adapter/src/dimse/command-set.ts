/**
 * DIMSE command set codec, PS3.7 §6.3 and §E.1 (Table E.1-1): the elements of group 0000,
 * always encoded in Implicit VR Little Endian (PS3.7 §6.3.1), ascending tag order.
 *
 * Element layout (implicit VR LE, PS3.5 §7.1.3):
 *   offset 0  2  group   (uint16 LE, always 0x0000 here)
 *   offset 2  2  element (uint16 LE)
 *   offset 4  4  value length (uint32 LE, even, never undefined length)
 *   offset 8  n  value
 * (0000,0000) CommandGroupLength UL = byte count of all elements that follow it.
 *
 * Unknown or retired elements are kept verbatim in `unknown` (tag → value bytes) and re-encoded in place.
 */
import { COMMAND_FIELDS, type CommandFieldName } from './command-field.js';
import { DimseError } from './dimse-error.js';

type CommandVr = 'UL' | 'US' | 'UI' | 'AE' | 'LO' | 'AT';

/** Table E.1-1 as data: tag (element number in group 0000) → field name and VR. */
export const COMMAND_ELEMENTS = [
  { tag: 0x0002, key: 'affectedSopClassUid', vr: 'UI' },
  { tag: 0x0003, key: 'requestedSopClassUid', vr: 'UI' },
  { tag: 0x0100, key: 'commandField', vr: 'US' },
  { tag: 0x0110, key: 'messageId', vr: 'US' },
  { tag: 0x0120, key: 'messageIdBeingRespondedTo', vr: 'US' },
  { tag: 0x0600, key: 'moveDestination', vr: 'AE' },
  { tag: 0x0700, key: 'priority', vr: 'US' },
  { tag: 0x0800, key: 'commandDataSetType', vr: 'US' },
  { tag: 0x0900, key: 'status', vr: 'US' },
  { tag: 0x0901, key: 'offendingElement', vr: 'AT' },
  { tag: 0x0902, key: 'errorComment', vr: 'LO' },
  { tag: 0x0903, key: 'errorId', vr: 'US' },
  { tag: 0x1000, key: 'affectedSopInstanceUid', vr: 'UI' },
  { tag: 0x1001, key: 'requestedSopInstanceUid', vr: 'UI' },
  { tag: 0x1002, key: 'eventTypeId', vr: 'US' },
  { tag: 0x1005, key: 'attributeIdentifierList', vr: 'AT' },
  { tag: 0x1008, key: 'actionTypeId', vr: 'US' },
  { tag: 0x1020, key: 'numberOfRemainingSuboperations', vr: 'US' },
  { tag: 0x1021, key: 'numberOfCompletedSuboperations', vr: 'US' },
  { tag: 0x1022, key: 'numberOfFailedSuboperations', vr: 'US' },
  { tag: 0x1023, key: 'numberOfWarningSuboperations', vr: 'US' },
  { tag: 0x1030, key: 'moveOriginatorApplicationEntityTitle', vr: 'AE' },
  { tag: 0x1031, key: 'moveOriginatorMessageId', vr: 'US' },
] as const satisfies readonly { tag: number; key: string; vr: CommandVr }[];

/** CommandDataSetType (0000,0800) value meaning "no data set" (PS3.7 §E.1); anything else means one follows. */
export const NO_DATASET = 0x0101;
/** Value DCMTK sends for "a data set follows" (captured vectors); pynetdicom sends the same. Receivers accept any ≠ 0x0101. */
export const DATASET_PRESENT = 0x0001;

/** A decoded command set. Tags are numbers: (gggg,eeee) → 0xggggeeee. */
export interface CommandSet {
  commandField: number;
  affectedSopClassUid?: string;
  requestedSopClassUid?: string;
  messageId?: number;
  messageIdBeingRespondedTo?: number;
  moveDestination?: string;
  priority?: number;
  commandDataSetType?: number;
  status?: number;
  offendingElement?: number[];
  errorComment?: string;
  errorId?: number;
  affectedSopInstanceUid?: string;
  requestedSopInstanceUid?: string;
  eventTypeId?: number;
  attributeIdentifierList?: number[];
  actionTypeId?: number;
  numberOfRemainingSuboperations?: number;
  numberOfCompletedSuboperations?: number;
  numberOfFailedSuboperations?: number;
  numberOfWarningSuboperations?: number;
  moveOriginatorApplicationEntityTitle?: string;
  moveOriginatorMessageId?: number;
  /** Elements not in Table E.1-1 (retired or private): element number → raw value bytes. */
  unknown?: Map<number, Buffer>;
}

type FieldKey = (typeof COMMAND_ELEMENTS)[number]['key'];
type Element = (typeof COMMAND_ELEMENTS)[number];
const BY_TAG = new Map<number, Element>(COMMAND_ELEMENTS.map((e) => [e.tag, e]));

/** True when CommandDataSetType says a data set follows the command. */
export function hasDataset(cs: CommandSet): boolean {
  return cs.commandDataSetType !== undefined && cs.commandDataSetType !== NO_DATASET;
}

function fail(code: string, message: string, context: Record<string, unknown> = {}): never {
  throw new DimseError(code, message, context);
}

/** Bytes `value` takes as element `e`: strings are latin1, padded to even length. */
function valueLength(e: Element, value: unknown): number {
  switch (e.vr) {
    case 'US':
      return 2;
    case 'AT':
      return (value as number[]).length * 4;
    default: {
      const n = String(value).length; // latin1: one byte per character
      return n + (n % 2);
    }
  }
}

/** Writes `value` at `at`; returns the offset after it. An odd string gets its pad: NUL for UI, else a space. */
function writeValue(out: Buffer, at: number, e: Element, value: unknown): number {
  switch (e.vr) {
    case 'US':
      // Buffer.writeUInt16LE's range check, as the encoder always had: NaN or out of range throws.
      return out.writeUInt16LE(Number(value), at);
    case 'AT': {
      for (const t of value as number[]) {
        out.writeUInt16LE(t >>> 16, at);
        out.writeUInt16LE(t & 0xffff, at + 2);
        at += 4;
      }
      return at;
    }
    default: {
      const s = String(value);
      at += out.write(s, at, 'latin1');
      return s.length % 2 === 1 ? out.writeUInt8(e.vr === 'UI' ? 0x00 : 0x20, at) : at;
    }
  }
}

/** The value of `e` in `bytes[at, at + length)`, read in place (no view of it per element). */
function decodeValue(e: Element, bytes: Buffer, at: number, length: number): string | number | number[] {
  switch (e.vr) {
    case 'US':
      if (length !== 2)
        fail('DT_ERR_DIMSE_COMMAND_VALUE_LENGTH', `${e.key}: US length ${length} ≠ 2`, { tag: e.tag });
      return bytes.readUInt16LE(at);
    case 'AT': {
      if (length % 4 !== 0)
        fail('DT_ERR_DIMSE_COMMAND_VALUE_LENGTH', `${e.key}: AT length ${length}`, { tag: e.tag });
      const tags: number[] = [];
      for (let i = at; i < at + length; i += 4)
        tags.push(((bytes.readUInt16LE(i) << 16) | bytes.readUInt16LE(i + 2)) >>> 0);
      return tags;
    }
    default: {
      // Trailing NULs and spaces go (the padding), and for the text VRs leading spaces too.
      let end = at + length;
      while (end > at && (bytes[end - 1] === 0x00 || bytes[end - 1] === 0x20)) end--;
      let start = at;
      if (e.vr !== 'UI') while (start < end && bytes[start] === 0x20) start++;
      return bytes.toString('latin1', start, end);
    }
  }
}

/** Writes an Implicit VR element header of group 0000 at `at`; returns the offset after it. */
function writeHeader(out: Buffer, at: number, tag: number, length: number): number {
  out.writeUInt16LE(0x0000, at);
  out.writeUInt16LE(tag, at + 2);
  return out.writeUInt32LE(length, at + 4);
}

/**
 * Encodes a command set in Implicit VR LE with a computed (0000,0000) CommandGroupLength. Sized first, then
 * written into one buffer (no buffer per element): every response and request goes through here.
 */
export function encodeCommandSet(cs: CommandSet): Buffer {
  const record = cs as unknown as Record<FieldKey, unknown>;
  let length = 0;
  for (let i = 0; i < COMMAND_ELEMENTS.length; i++) {
    const e = COMMAND_ELEMENTS[i]!;
    const value = record[e.key];
    if (value !== undefined) length += 8 + valueLength(e, value);
  }
  let unknownCount = 0;
  if (cs.unknown)
    for (const [tag, bytes] of cs.unknown) {
      if (tag === 0x0000 || BY_TAG.has(tag)) continue;
      unknownCount++;
      length += 8 + bytes.length + (bytes.length % 2);
    }
  // One buffer: (0000,0000) UL CommandGroupLength, then every element in tag order.
  const out = Buffer.allocUnsafe(12 + length);
  let at = out.writeUInt32LE(length, writeHeader(out, 0, 0x0000, 4));
  if (unknownCount === 0) {
    // COMMAND_ELEMENTS is in tag order.
    for (let i = 0; i < COMMAND_ELEMENTS.length; i++) {
      const e = COMMAND_ELEMENTS[i]!;
      const value = record[e.key];
      if (value !== undefined)
        at = writeValue(out, writeHeader(out, at, e.tag, valueLength(e, value)), e, value);
    }
    return out;
  }
  // With elements outside Table E.1-1: known and unknown merged in tag order.
  const elements: [number, Element | Buffer][] = [];
  for (const e of COMMAND_ELEMENTS) if (record[e.key] !== undefined) elements.push([e.tag, e]);
  for (const [tag, bytes] of cs.unknown!) if (tag !== 0x0000 && !BY_TAG.has(tag)) elements.push([tag, bytes]);
  elements.sort((x, y) => x[0] - y[0]);
  for (const [tag, item] of elements) {
    if (!Buffer.isBuffer(item)) {
      const value = record[item.key];
      at = writeValue(out, writeHeader(out, at, tag, valueLength(item, value)), item, value);
      continue;
    }
    const padded = item.length + (item.length % 2);
    at = writeHeader(out, at, tag, padded);
    at += item.copy(out, at);
    if (padded > item.length) at = out.writeUInt8(0, at);
  }
  return out;
}

/** Decodes an Implicit VR LE command set; throws DimseError (DT_ERR_DIMSE_COMMAND_*) when malformed. */
export function decodeCommandSet(bytes: Buffer): CommandSet {
  const out: Record<string, unknown> = {};
  let unknown: Map<number, Buffer> | undefined;
  let offset = 0;
  let previous = -1;
  let groupLength: number | undefined;
  while (offset < bytes.length) {
    if (bytes.length - offset < 8)
      fail('DT_ERR_DIMSE_COMMAND_TRUNCATED', 'element header truncated', { offset, length: bytes.length });
    const group = bytes.readUInt16LE(offset);
    const tag = bytes.readUInt16LE(offset + 2);
    const length = bytes.readUInt32LE(offset + 4);
    if (group !== 0x0000)
      fail('DT_ERR_DIMSE_COMMAND_GROUP', `element of group ${group.toString(16)} in a command set`, {
        offset,
      });
    if (tag <= previous)
      fail('DT_ERR_DIMSE_COMMAND_ORDER', 'elements not in ascending order', { offset, tag });
    if (length > bytes.length - offset - 8)
      fail('DT_ERR_DIMSE_COMMAND_TRUNCATED', 'value runs past the end', { offset, tag, length });
    if (tag === 0x0000) {
      if (length !== 4)
        fail('DT_ERR_DIMSE_COMMAND_VALUE_LENGTH', 'CommandGroupLength must be UL', { offset });
      groupLength = bytes.readUInt32LE(offset + 8);
    } else {
      const e = BY_TAG.get(tag);
      if (e) out[e.key] = decodeValue(e, bytes, offset + 8, length);
      else {
        unknown ??= new Map();
        unknown.set(tag, Buffer.from(bytes.subarray(offset + 8, offset + 8 + length)));
      }
    }
    previous = tag;
    offset += 8 + length;
  }
  if (groupLength === undefined) fail('DT_ERR_DIMSE_COMMAND_GROUP_LENGTH_MISSING', 'no (0000,0000) element');
  if (groupLength !== bytes.length - 12)
    fail('DT_ERR_DIMSE_COMMAND_GROUP_LENGTH', `CommandGroupLength ${groupLength} ≠ ${bytes.length - 12}`, {
      groupLength,
      actual: bytes.length - 12,
    });
  if (out['commandField'] === undefined)
    fail('DT_ERR_DIMSE_COMMAND_FIELD_MISSING', 'no (0000,0100) CommandField');
  if (unknown) out['unknown'] = unknown;
  return out as unknown as CommandSet;
}

/** A command set whose fields K are known to be present. */
export type With<K extends keyof CommandSet> = CommandSet & Required<Pick<CommandSet, K>>;

/** Priority (0000,0700), PS3.7 §9.1.1.1.x. */
export const Priority = { Medium: 0x0000, High: 0x0001, Low: 0x0002 } as const;
export type PriorityValue = (typeof Priority)[keyof typeof Priority];

/** The priority an event records: the request's when PS3.7 defines it, otherwise MEDIUM (what an SCP applies). */
export function priorityOf(cs: CommandSet): PriorityValue {
  const p = cs.priority;
  return p === Priority.High || p === Priority.Low ? p : Priority.Medium;
}

/**
 * Checks a decoded command set against one message type of PS3.7 §9.3 / §10.3: the CommandField and
 * the mandatory elements. Throws DT_ERR_DIMSE_COMMAND_UNEXPECTED / DT_ERR_DIMSE_COMMAND_MISSING_ELEMENT.
 */
export function expectCommand<K extends keyof CommandSet>(
  cs: CommandSet,
  name: CommandFieldName,
  required: readonly K[],
): With<K> {
  if (cs.commandField !== COMMAND_FIELDS[name])
    fail('DT_ERR_DIMSE_COMMAND_UNEXPECTED', `expected ${name}, got 0x${cs.commandField.toString(16)}`, {
      expected: name,
      commandField: cs.commandField,
    });
  for (const key of required)
    if (cs[key] === undefined)
      fail('DT_ERR_DIMSE_COMMAND_MISSING_ELEMENT', `${name} without ${String(key)}`, { command: name, key });
  return cs as With<K>;
}

function hasOwnKeys(o: object): boolean {
  for (const key in o) if (Object.hasOwn(o, key)) return true;
  return false;
}

/**
 * The common part of every response (PS3.7 §9.3 / §10.3): MessageIDBeingRespondedTo, the affected SOP
 * class/instance echoed from the request (N-services answer a Requested UID with an Affected one),
 * Status, and CommandDataSetType (no data set unless `withDataset`).
 */
export function buildResponse(
  rq: CommandSet,
  name: CommandFieldName,
  status: number,
  extra?: Partial<CommandSet>,
  withDataset = false,
): CommandSet {
  const cs: CommandSet = {
    commandField: COMMAND_FIELDS[name],
    messageIdBeingRespondedTo: rq.messageId ?? 0,
    commandDataSetType: withDataset ? DATASET_PRESENT : NO_DATASET,
    status,
  };
  const sopClass = rq.affectedSopClassUid ?? rq.requestedSopClassUid;
  const sopInstance = rq.affectedSopInstanceUid ?? rq.requestedSopInstanceUid;
  if (sopClass !== undefined) cs.affectedSopClassUid = sopClass;
  if (sopInstance !== undefined) cs.affectedSopInstanceUid = sopInstance;
  // The common answer has no extra fields: no copy of it then.
  return extra === undefined || !hasOwnKeys(extra) ? cs : { ...cs, ...extra };
}
