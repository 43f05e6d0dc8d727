// DICOM JSON Model, PS3.18 Annex F.2: a data set is an object keyed by tag (8 uppercase hex
// digits), each value { vr, Value? | InlineBinary? | BulkData? }.
// Our bulk elision: pixel data and any binary value over the configured threshold is replaced by
// BulkData { length, sha256 } (sha256 absent when only the length is known, e.g. a value streamed
// to disk before hashing). PS3.18's BulkDataURI is not used.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Count, Sha256Hex, Strict, Tag } from '../common.js';

export const VRS = [
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
] as const;
export const Vr = Type.Union(VRS.map((vr) => Type.Literal(vr)));

export const BulkData = Strict(
  { length: Count, sha256: Type.Optional(Sha256Hex) },
  { description: 'An elided binary value: its length in bytes and, when computed, its sha256.' },
);
export type BulkData = Static<typeof BulkData>;

/** PS3.18 F.2.2: a PN value is an object of up to three component groups. */
export const PersonName = Strict({
  Alphabetic: Type.Optional(Type.String()),
  Ideographic: Type.Optional(Type.String()),
  Phonetic: Type.Optional(Type.String()),
});

function element(dataset: TSchema) {
  return Strict({
    vr: Vr,
    // strings (text VRs, AT, DS/IS as numbers or strings), numbers, null (an empty value in a
    // multi-valued element), PN objects, and nested data sets (SQ items).
    Value: Type.Optional(
      Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null(), PersonName, dataset])),
    ),
    InlineBinary: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' })),
    BulkData: Type.Optional(BulkData),
  });
}

export const DicomJsonDataset = Type.Recursive(
  (Self) => Type.Record(Tag, element(Self), { additionalProperties: false }),
  {
    $id: 'DicomJsonDataset',
    description: 'A DICOM data set in the DICOM JSON Model (PS3.18 F.2).',
  },
);
export type DicomJsonDataset = Static<typeof DicomJsonDataset>;
export type DicomJsonElement = DicomJsonDataset[string];
