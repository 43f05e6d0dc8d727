/**
 * CommandField (0000,0100) codes, PS3.7 §9.3 and §10.3 (Tables 9.3-1 ... 10.3-12).
 * A response has bit 15 set (request | 0x8000); C-CANCEL-RQ is 0x0FFF.
 */
export const COMMAND_FIELDS = {
  'C-STORE-RQ': 0x0001,
  'C-STORE-RSP': 0x8001,
  'C-GET-RQ': 0x0010,
  'C-GET-RSP': 0x8010,
  'C-FIND-RQ': 0x0020,
  'C-FIND-RSP': 0x8020,
  'C-MOVE-RQ': 0x0021,
  'C-MOVE-RSP': 0x8021,
  'C-ECHO-RQ': 0x0030,
  'C-ECHO-RSP': 0x8030,
  'N-EVENT-REPORT-RQ': 0x0100,
  'N-EVENT-REPORT-RSP': 0x8100,
  'N-GET-RQ': 0x0110,
  'N-GET-RSP': 0x8110,
  'N-SET-RQ': 0x0120,
  'N-SET-RSP': 0x8120,
  'N-ACTION-RQ': 0x0130,
  'N-ACTION-RSP': 0x8130,
  'N-CREATE-RQ': 0x0140,
  'N-CREATE-RSP': 0x8140,
  'N-DELETE-RQ': 0x0150,
  'N-DELETE-RSP': 0x8150,
  'C-CANCEL-RQ': 0x0fff,
} as const;

export type CommandFieldName = keyof typeof COMMAND_FIELDS;

const NAMES = new Map<number, CommandFieldName>(
  (Object.entries(COMMAND_FIELDS) as [CommandFieldName, number][]).map(([name, code]) => [code, name]),
);

/** 'C-STORE-RQ' for 0x0001; undefined for codes PS3.7 does not define. */
export function commandFieldName(code: number): CommandFieldName | undefined {
  return NAMES.get(code);
}

/** True for response command fields (bit 15 set). */
export function isResponse(code: number): boolean {
  return (code & 0x8000) !== 0;
}
