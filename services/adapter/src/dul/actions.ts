/**
 * PS3.8 §9.2.2, Tables 9-6 (AE), 9-7 (DT), 9-8 (AR) and 9-9 (AA): the DUL state machine actions,
 * as data. Each action lists the side effects the caller (dul/upper-layer.ts) must perform, in
 * order, and its next state. Three actions choose between two outcomes:
 *   AE-6  on whether the A-ASSOCIATE-RQ is acceptable to the service-provider (Sta3 / Sta13)
 *   AR-8  on the local role in the release collision (requestor Sta9 / acceptor Sta10)
 *   AA-3  on the source of the received A-ABORT (service-user: A-ABORT indication;
 *         service-provider: A-P-ABORT indication); the next state is Sta1 either way.
 *
 * `closesConnection` marks the seven actions inside which pynetdicom fires EVT_CONN_CLOSE
 * (AE-4, AR-3, AR-5, AA-2, AA-3, AA-4, AA-5). Four of them close the transport themselves
 * (a `close-transport` effect); AR-5, AA-4 and AA-5 run on Evt17, when it is already closed.
 *
 * Where pynetdicom's wording (spec §7) and the standard differ, the standard wins:
 *   - pynetdicom says "service-dul" in AE-6, AA-3 and AA-8; the standard says "service-provider".
 *   - AA-1's A-ABORT PDU has source 0 (service-user) in every cell, including the Sta2 cells for an
 *     unexpected PDU, because Table 9-9 says so (pynetdicom's AA_1 also sends 0x00).
 *   - AA-7 says only "Send A-ABORT PDU"; we send source 2 (service-provider), as pynetdicom and
 *     DCMTK do: the association no longer exists, so there is no service-user to be the source.
 *   - AA-4 issues only the A-P-ABORT indication: the transport is already closed (Evt17).
 *     pynetdicom fires EVT_CONN_CLOSE in it, so it is still marked `closesConnection`.
 * The abort reason (PS3.8 Table 9-26) is not the table's business: the caller that raised Evt19
 * knows it (a PduError carries it); `send-abort` carries only the source the table fixes.
 */

import type { IndicationPrimitive } from './primitives.js';
import type { State } from './states.js';

export const ACTION_IDS = [
  'AE-1',
  'AE-2',
  'AE-3',
  'AE-4',
  'AE-5',
  'AE-6',
  'AE-7',
  'AE-8',
  'DT-1',
  'DT-2',
  'AR-1',
  'AR-2',
  'AR-3',
  'AR-4',
  'AR-5',
  'AR-6',
  'AR-7',
  'AR-8',
  'AR-9',
  'AR-10',
  'AA-1',
  'AA-2',
  'AA-3',
  'AA-4',
  'AA-5',
  'AA-6',
  'AA-7',
  'AA-8',
] as const;

export type ActionId = (typeof ACTION_IDS)[number];

/** PDUs an action sends, other than A-ABORT (see `send-abort`). Names as in PS3.8 §9.3. */
export type SentPdu =
  | 'A-ASSOCIATE-RQ'
  | 'A-ASSOCIATE-AC'
  | 'A-ASSOCIATE-RJ'
  | 'P-DATA-TF'
  | 'A-RELEASE-RQ'
  | 'A-RELEASE-RP';

/** A-ABORT PDU source field (PS3.8 Table 9-26): 0 service-user, 2 service-provider. */
export type AbortSource = 0 | 2;

/** One side effect the caller must perform, in list order. */
export type Effect =
  | { readonly effect: 'connect-transport' }
  | { readonly effect: 'respond-transport' }
  | { readonly effect: 'send'; readonly pdu: SentPdu }
  | { readonly effect: 'send-abort'; readonly source: AbortSource }
  | { readonly effect: 'indicate'; readonly primitive: IndicationPrimitive }
  | { readonly effect: 'start-artim' }
  | { readonly effect: 'stop-artim' }
  | { readonly effect: 'close-transport' };

export interface ActionOutcome {
  readonly effects: readonly Effect[];
  readonly next: State;
}

interface ActionBase {
  readonly id: ActionId;
  readonly table: 'Table 9-6' | 'Table 9-7' | 'Table 9-8' | 'Table 9-9';
  readonly description: string;
  /** pynetdicom fires EVT_CONN_CLOSE inside this action. */
  readonly closesConnection: boolean;
}

export type ActionSpec = ActionBase &
  (
    | { readonly branch: 'none'; readonly outcome: ActionOutcome }
    | {
        readonly branch: 'associate-rq-acceptable';
        readonly ifAcceptable: ActionOutcome;
        readonly ifNotAcceptable: ActionOutcome;
      }
    | { readonly branch: 'role'; readonly ifRequestor: ActionOutcome; readonly ifAcceptor: ActionOutcome }
    | {
        readonly branch: 'received-abort-source';
        readonly ifServiceUser: ActionOutcome;
        readonly ifServiceProvider: ActionOutcome;
      }
  );

/** What the branching actions need to choose their outcome. */
export interface ActionContext {
  readonly role: 'acceptor' | 'requestor';
  /** AE-6: the A-ASSOCIATE-RQ passed the service-provider's own checks (e.g. protocol version). */
  readonly associateRqAcceptableByDul: boolean;
  /** AA-3: the Source field of the received A-ABORT PDU (0 service-user, 1 reserved, 2 provider). */
  readonly receivedAbortSource: number | undefined;
}

// Effect constructors keep the table below one line per action.
const send = (pdu: SentPdu): Effect => ({ effect: 'send', pdu });
const sendAbort = (source: AbortSource): Effect => ({ effect: 'send-abort', source });
const indicate = (primitive: IndicationPrimitive): Effect => ({ effect: 'indicate', primitive });
const START_ARTIM: Effect = { effect: 'start-artim' };
const STOP_ARTIM: Effect = { effect: 'stop-artim' };
const CLOSE: Effect = { effect: 'close-transport' };
const out = (next: State, ...effects: Effect[]): ActionOutcome => ({ effects, next });

type Simple = Omit<ActionBase, 'id'> & { outcome: ActionOutcome };
function simple(id: ActionId, a: Simple): ActionSpec {
  return { id, branch: 'none', ...a };
}

const T6 = 'Table 9-6';
const T7 = 'Table 9-7';
const T8 = 'Table 9-8';
const T9 = 'Table 9-9';

export const ACTIONS: Readonly<Record<ActionId, ActionSpec>> = {
  'AE-1': simple('AE-1', {
    table: T6,
    description: 'Issue TRANSPORT CONNECT request primitive to local transport service',
    closesConnection: false,
    outcome: out('Sta4', { effect: 'connect-transport' }),
  }),
  'AE-2': simple('AE-2', {
    table: T6,
    description: 'Send A-ASSOCIATE-RQ-PDU',
    closesConnection: false,
    outcome: out('Sta5', send('A-ASSOCIATE-RQ')),
  }),
  'AE-3': simple('AE-3', {
    table: T6,
    description: 'Issue A-ASSOCIATE confirmation (accept) primitive',
    closesConnection: false,
    outcome: out('Sta6', indicate('A-ASSOCIATE-confirm-accept')),
  }),
  'AE-4': simple('AE-4', {
    table: T6,
    description: 'Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection',
    closesConnection: true,
    outcome: out('Sta1', indicate('A-ASSOCIATE-confirm-reject'), CLOSE),
  }),
  'AE-5': simple('AE-5', {
    table: T6,
    description: 'Issue Transport connection response primitive; start ARTIM timer',
    closesConnection: false,
    outcome: out('Sta2', { effect: 'respond-transport' }, START_ARTIM),
  }),
  'AE-6': {
    id: 'AE-6',
    table: T6,
    description:
      'Stop ARTIM timer and if A-ASSOCIATE-RQ acceptable by service-provider: issue A-ASSOCIATE ' +
      'indication primitive (next state Sta3); otherwise: issue A-ASSOCIATE-RJ-PDU and start ARTIM ' +
      'timer (next state Sta13)',
    closesConnection: false,
    branch: 'associate-rq-acceptable',
    ifAcceptable: out('Sta3', STOP_ARTIM, indicate('A-ASSOCIATE-indication')),
    ifNotAcceptable: out('Sta13', STOP_ARTIM, send('A-ASSOCIATE-RJ'), START_ARTIM),
  },
  'AE-7': simple('AE-7', {
    table: T6,
    description: 'Send A-ASSOCIATE-AC PDU',
    closesConnection: false,
    outcome: out('Sta6', send('A-ASSOCIATE-AC')),
  }),
  'AE-8': simple('AE-8', {
    table: T6,
    description: 'Send A-ASSOCIATE-RJ PDU and start ARTIM timer',
    closesConnection: false,
    outcome: out('Sta13', send('A-ASSOCIATE-RJ'), START_ARTIM),
  }),
  'DT-1': simple('DT-1', {
    table: T7,
    description: 'Send P-DATA-TF PDU',
    closesConnection: false,
    outcome: out('Sta6', send('P-DATA-TF')),
  }),
  'DT-2': simple('DT-2', {
    table: T7,
    description: 'Send P-DATA indication primitive',
    closesConnection: false,
    outcome: out('Sta6', indicate('P-DATA-indication')),
  }),
  'AR-1': simple('AR-1', {
    table: T8,
    description: 'Send A-RELEASE-RQ PDU',
    closesConnection: false,
    outcome: out('Sta7', send('A-RELEASE-RQ')),
  }),
  'AR-2': simple('AR-2', {
    table: T8,
    description: 'Issue A-RELEASE indication primitive',
    closesConnection: false,
    outcome: out('Sta8', indicate('A-RELEASE-indication')),
  }),
  'AR-3': simple('AR-3', {
    table: T8,
    description: 'Issue A-RELEASE confirmation primitive, and close transport connection',
    closesConnection: true,
    outcome: out('Sta1', indicate('A-RELEASE-confirm'), CLOSE),
  }),
  'AR-4': simple('AR-4', {
    table: T8,
    description: 'Issue A-RELEASE-RP PDU and start ARTIM timer',
    closesConnection: false,
    outcome: out('Sta13', send('A-RELEASE-RP'), START_ARTIM),
  }),
  'AR-5': simple('AR-5', {
    table: T8,
    description: 'Stop ARTIM timer',
    closesConnection: true,
    outcome: out('Sta1', STOP_ARTIM),
  }),
  'AR-6': simple('AR-6', {
    table: T8,
    description: 'Issue P-DATA indication',
    closesConnection: false,
    outcome: out('Sta7', indicate('P-DATA-indication')),
  }),
  'AR-7': simple('AR-7', {
    table: T8,
    description: 'Issue P-DATA-TF PDU',
    closesConnection: false,
    outcome: out('Sta8', send('P-DATA-TF')),
  }),
  'AR-8': {
    id: 'AR-8',
    table: T8,
    description:
      'Issue A-RELEASE indication (release collision): if association-requestor, next state is Sta9; ' +
      'if not, next state is Sta10',
    closesConnection: false,
    branch: 'role',
    ifRequestor: out('Sta9', indicate('A-RELEASE-indication')),
    ifAcceptor: out('Sta10', indicate('A-RELEASE-indication')),
  },
  'AR-9': simple('AR-9', {
    table: T8,
    description: 'Send A-RELEASE-RP PDU',
    closesConnection: false,
    outcome: out('Sta11', send('A-RELEASE-RP')),
  }),
  'AR-10': simple('AR-10', {
    table: T8,
    description: 'Issue A-RELEASE confirmation primitive',
    closesConnection: false,
    outcome: out('Sta12', indicate('A-RELEASE-confirm')),
  }),
  'AA-1': simple('AA-1', {
    table: T9,
    description:
      'Send A-ABORT PDU (service-user source) and start (or restart if already started) ARTIM timer',
    closesConnection: false,
    outcome: out('Sta13', sendAbort(0), START_ARTIM),
  }),
  'AA-2': simple('AA-2', {
    table: T9,
    description: 'Stop ARTIM timer if running. Close transport connection',
    closesConnection: true,
    outcome: out('Sta1', STOP_ARTIM, CLOSE),
  }),
  'AA-3': {
    id: 'AA-3',
    table: T9,
    description:
      'If (service-user initiated abort): issue A-ABORT indication and close transport connection; ' +
      'otherwise (service-provider initiated abort): issue A-P-ABORT indication and close transport connection',
    closesConnection: true,
    branch: 'received-abort-source',
    ifServiceUser: out('Sta1', indicate('A-ABORT-indication'), CLOSE),
    ifServiceProvider: out('Sta1', indicate('A-P-ABORT-indication'), CLOSE),
  },
  'AA-4': simple('AA-4', {
    table: T9,
    description: 'Issue A-P-ABORT indication primitive',
    closesConnection: true,
    outcome: out('Sta1', indicate('A-P-ABORT-indication')),
  }),
  'AA-5': simple('AA-5', {
    table: T9,
    description: 'Stop ARTIM timer',
    closesConnection: true,
    outcome: out('Sta1', STOP_ARTIM),
  }),
  'AA-6': simple('AA-6', {
    table: T9,
    description: 'Ignore PDU',
    closesConnection: false,
    outcome: out('Sta13'),
  }),
  'AA-7': simple('AA-7', {
    table: T9,
    description: 'Send A-ABORT PDU',
    closesConnection: false,
    outcome: out('Sta13', sendAbort(2)),
  }),
  'AA-8': simple('AA-8', {
    table: T9,
    description:
      'Send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, and start ARTIM timer',
    closesConnection: false,
    outcome: out('Sta13', sendAbort(2), indicate('A-P-ABORT-indication'), START_ARTIM),
  }),
};

/** The outcome an action takes in the given context (the AE-6 / AR-8 / AA-3 rules above). */
export function resolveAction(action: ActionSpec, ctx: ActionContext): ActionOutcome {
  switch (action.branch) {
    case 'none':
      return action.outcome;
    case 'associate-rq-acceptable':
      return ctx.associateRqAcceptableByDul ? action.ifAcceptable : action.ifNotAcceptable;
    case 'role':
      return ctx.role === 'requestor' ? action.ifRequestor : action.ifAcceptor;
    case 'received-abort-source':
      return ctx.receivedAbortSource === 0 ? action.ifServiceUser : action.ifServiceProvider;
  }
}

/** Every next state an action can lead to (one, or two for AE-6 and AR-8). */
export function possibleNextStates(action: ActionSpec): readonly State[] {
  switch (action.branch) {
    case 'none':
      return [action.outcome.next];
    case 'associate-rq-acceptable':
      return [action.ifAcceptable.next, action.ifNotAcceptable.next];
    case 'role':
      return [action.ifRequestor.next, action.ifAcceptor.next];
    case 'received-abort-source':
      return [action.ifServiceUser.next];
  }
}
