/**
 * PS3.8 §9.2.3, Table 9-10 (event rows): the events that drive the DUL protocol machine.
 * Identifiers are the standard's (`Evt1` … `Evt19`), also pynetdicom's EVT_FSM_TRANSITION `fsm_event`.
 *
 * `source` says where an event comes from; the state machine's invalid-pair policy depends on it
 * (see state-machine.ts):
 *   local-user  a service primitive issued by the local DUL user (ACSE/DIMSE above us)
 *   peer-pdu    a PDU read from the transport connection (Evt19: one that could not be decoded)
 *   transport   an indication/confirmation from the local transport service (TCP)
 *   timer       the ARTIM timer
 */

export const FSM_EVENTS = [
  'Evt1',
  'Evt2',
  'Evt3',
  'Evt4',
  'Evt5',
  'Evt6',
  'Evt7',
  'Evt8',
  'Evt9',
  'Evt10',
  'Evt11',
  'Evt12',
  'Evt13',
  'Evt14',
  'Evt15',
  'Evt16',
  'Evt17',
  'Evt18',
  'Evt19',
] as const;

export type FsmEvent = (typeof FSM_EVENTS)[number];

export type FsmEventSource = 'local-user' | 'peer-pdu' | 'transport' | 'timer';

export interface FsmEventSpec {
  readonly id: FsmEvent;
  readonly description: string;
  readonly source: FsmEventSource;
}

function spec(id: FsmEvent, source: FsmEventSource, description: string): FsmEventSpec {
  return { id, source, description };
}

export const FSM_EVENT_SPECS: Readonly<Record<FsmEvent, FsmEventSpec>> = {
  Evt1: spec('Evt1', 'local-user', 'A-ASSOCIATE Request (local user)'),
  Evt2: spec('Evt2', 'transport', 'Transport Conn. Confirmation (local transport service)'),
  Evt3: spec('Evt3', 'peer-pdu', 'A-ASSOCIATE-AC PDU (received on transport connection)'),
  Evt4: spec('Evt4', 'peer-pdu', 'A-ASSOCIATE-RJ PDU (received on transport connection)'),
  Evt5: spec('Evt5', 'transport', 'Transport Connection Indication (local transport service)'),
  Evt6: spec('Evt6', 'peer-pdu', 'A-ASSOCIATE-RQ PDU (received on transport connection)'),
  Evt7: spec('Evt7', 'local-user', 'A-ASSOCIATE-response primitive (accept)'),
  Evt8: spec('Evt8', 'local-user', 'A-ASSOCIATE-response primitive (reject)'),
  Evt9: spec('Evt9', 'local-user', 'P-DATA request primitive'),
  Evt10: spec('Evt10', 'peer-pdu', 'P-DATA-TF PDU'),
  Evt11: spec('Evt11', 'local-user', 'A-RELEASE Request primitive'),
  Evt12: spec('Evt12', 'peer-pdu', 'A-RELEASE-RQ PDU (received on open transport connection)'),
  Evt13: spec('Evt13', 'peer-pdu', 'A-RELEASE-RP PDU (received on transport connection)'),
  Evt14: spec('Evt14', 'local-user', 'A-RELEASE Response primitive'),
  Evt15: spec('Evt15', 'local-user', 'A-ABORT Request primitive'),
  Evt16: spec('Evt16', 'peer-pdu', 'A-ABORT PDU (received on open transport connection)'),
  Evt17: spec('Evt17', 'transport', 'Transport connection closed indication (local transport service)'),
  Evt18: spec('Evt18', 'timer', 'ARTIM timer expired (Association reject/release timer)'),
  Evt19: spec('Evt19', 'peer-pdu', 'Unrecognized or invalid PDU received'),
};

export function isFsmEvent(value: unknown): value is FsmEvent {
  return typeof value === 'string' && (FSM_EVENTS as readonly string[]).includes(value);
}
