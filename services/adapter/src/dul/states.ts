/**
 * PS3.8 §9.2.1, Tables 9-1 … 9-5: the states of the DICOM Upper Layer (DUL) protocol machine.
 * Identifiers are the standard's (`Sta1` … `Sta13`); they are also the values pynetdicom puts in
 * EVT_FSM_TRANSITION's `current_state` / `next_state`.
 */

export const STATES = [
  'Sta1',
  'Sta2',
  'Sta3',
  'Sta4',
  'Sta5',
  'Sta6',
  'Sta7',
  'Sta8',
  'Sta9',
  'Sta10',
  'Sta11',
  'Sta12',
  'Sta13',
] as const;

export type State = (typeof STATES)[number];

export interface StateSpec {
  readonly id: State;
  /** The PS3.8 table that defines the state. */
  readonly table: 'Table 9-1' | 'Table 9-2' | 'Table 9-3' | 'Table 9-4' | 'Table 9-5';
  readonly description: string;
}

export const STATE_SPECS: Readonly<Record<State, StateSpec>> = {
  Sta1: { id: 'Sta1', table: 'Table 9-1', description: 'Idle' },
  Sta2: {
    id: 'Sta2',
    table: 'Table 9-2',
    description: 'Transport connection open (Awaiting A-ASSOCIATE-RQ PDU)',
  },
  Sta3: {
    id: 'Sta3',
    table: 'Table 9-2',
    description: 'Awaiting local A-ASSOCIATE response primitive (from local user)',
  },
  Sta4: {
    id: 'Sta4',
    table: 'Table 9-2',
    description: 'Awaiting transport connection opening to complete (from local transport service)',
  },
  Sta5: { id: 'Sta5', table: 'Table 9-2', description: 'Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU' },
  Sta6: {
    id: 'Sta6',
    table: 'Table 9-3',
    description: 'Association established and ready for data transfer',
  },
  Sta7: { id: 'Sta7', table: 'Table 9-4', description: 'Awaiting A-RELEASE-RP PDU' },
  Sta8: {
    id: 'Sta8',
    table: 'Table 9-4',
    description: 'Awaiting local A-RELEASE response primitive (from local user)',
  },
  Sta9: {
    id: 'Sta9',
    table: 'Table 9-4',
    description: 'Release collision requestor side; awaiting A-RELEASE response (from local user)',
  },
  Sta10: {
    id: 'Sta10',
    table: 'Table 9-4',
    description: 'Release collision acceptor side; awaiting A-RELEASE-RP PDU',
  },
  Sta11: {
    id: 'Sta11',
    table: 'Table 9-4',
    description: 'Release collision requestor side; awaiting A-RELEASE-RP PDU',
  },
  Sta12: {
    id: 'Sta12',
    table: 'Table 9-4',
    description: 'Release collision acceptor side; awaiting A-RELEASE response primitive (from local user)',
  },
  Sta13: {
    id: 'Sta13',
    table: 'Table 9-5',
    description: 'Awaiting Transport Connection Close Indication (Association no longer exists)',
  },
};

export function isState(value: unknown): value is State {
  return typeof value === 'string' && (STATES as readonly string[]).includes(value);
}
