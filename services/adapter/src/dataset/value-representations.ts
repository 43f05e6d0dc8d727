/**
 * Value representations whose explicit-VR element header has 2 reserved bytes and a 4-byte length
 * (PS3.5 §7.1.2, Table 7.1-1); all others have a 2-byte length.
 */
export const LONG_LENGTH_VRS: ReadonlySet<string> = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);
