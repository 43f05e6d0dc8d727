// DIMSE status (PS3.7 Annex C): the code and its category. Codes outside the known ranges are
// recorded as sent (pynetdicom sends unknown statuses as-is) with category 'failure'.
import { type Static, Type } from '@sinclair/typebox';
import { Uint16 } from '../common.js';

export const StatusCategory = Type.Union([
  Type.Literal('success'),
  Type.Literal('pending'),
  Type.Literal('cancel'),
  Type.Literal('warning'),
  Type.Literal('failure'),
]);
export type StatusCategory = Static<typeof StatusCategory>;

export const Status = Uint16;

/** PS3.7 C.1-C.4: 0x0000 success; 0xFF00/0xFF01 pending; 0xFE00 cancel; 0x0001, 0x0107, 0x0116, 0xBxxx warning. */
export function statusCategory(status: number): StatusCategory {
  if (status === 0x0000) return 'success';
  if (status === 0xff00 || status === 0xff01) return 'pending';
  if (status === 0xfe00) return 'cancel';
  if (status === 0x0001 || status === 0x0107 || status === 0x0116) return 'warning';
  if (status >= 0xb000 && status <= 0xbfff) return 'warning';
  return 'failure';
}
