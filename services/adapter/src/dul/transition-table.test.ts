/**
 * One generated test per cell of PS3.8 Table 9-10 (pynetdicom's TestStateNN.test_evtNN): the machine
 * is put in the state, the event is dispatched, and the action, next state and effects are checked
 * against expectations written down here a second time, independently of transition-table.ts and
 * actions.ts, so a typo in either fails.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACTION_IDS, ACTIONS, type ActionId, type Effect } from './actions.js';
import { FSM_EVENT_SPECS, FSM_EVENTS, type FsmEvent } from './fsm-events.js';
import { type DispatchContext, type Role, StateMachine } from './state-machine.js';
import { STATES, type State } from './states.js';
import { TRANSITION_TABLE } from './transition-table.js';

// Table 9-10, copied again from the standard: rows Evt1..Evt19, columns Sta1..Sta13, '.' = empty.
const EXPECTED_GRID = `
Evt1   AE-1 .    .    .    .    .    .    .    .    .     .    .    .
Evt2   .    .    .    AE-2 .    .    .    .    .    .     .    .    .
Evt3   .    AA-1 AA-8 .    AE-3 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8 AA-8 AA-6
Evt4   .    AA-1 AA-8 .    AE-4 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8 AA-8 AA-6
Evt5   AE-5 .    .    .    .    .    .    .    .    .     .    .    .
Evt6   .    AE-6 AA-8 .    AA-8 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8 AA-8 AA-7
Evt7   .    .    AE-7 .    .    .    .    .    .    .     .    .    .
Evt8   .    .    AE-8 .    .    .    .    .    .    .     .    .    .
Evt9   .    .    .    .    .    DT-1 .    AR-7 .    .     .    .    .
Evt10  .    AA-1 AA-8 .    AA-8 DT-2 AR-6 AA-8 AA-8 AA-8  AA-8 AA-8 AA-6
Evt11  .    .    .    .    .    AR-1 .    .    .    .     .    .    .
Evt12  .    AA-1 AA-8 .    AA-8 AR-2 AR-8 AA-8 AA-8 AA-8  AA-8 AA-8 AA-6
Evt13  .    AA-1 AA-8 .    AA-8 AA-8 AR-3 AA-8 AA-8 AR-10 AR-3 AA-8 AA-6
Evt14  .    .    .    .    .    .    .    AR-4 AR-9 .     .    AR-4 .
Evt15  .    .    AA-1 AA-2 AA-1 AA-1 AA-1 AA-1 AA-1 AA-1  AA-1 AA-1 .
Evt16  .    AA-2 AA-3 .    AA-3 AA-3 AA-3 AA-3 AA-3 AA-3  AA-3 AA-3 AA-2
Evt17  .    AA-5 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4  AA-4 AA-4 AR-5
Evt18  .    AA-2 .    .    .    .    .    .    .    .     .    .    AA-2
Evt19  .    AA-1 AA-8 .    AA-8 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8 AA-8 AA-7
`;

function parseGrid(text: string): Map<FsmEvent, (string | undefined)[]> {
  const grid = new Map<FsmEvent, (string | undefined)[]>();
  for (const line of text.trim().split('\n')) {
    const [evt, ...cells] = line.trim().split(/\s+/);
    assert.equal(cells.length, 13, `row ${evt} has 13 cells`);
    grid.set(
      evt as FsmEvent,
      cells.map((c) => (c === '.' ? undefined : c)),
    );
  }
  return grid;
}
const GRID = parseGrid(EXPECTED_GRID);

// Tables 9-6..9-9, copied again: effects in order, then '>' next state. Branching actions list one
// variant per outcome. Tokens: connect, respond, send:<PDU>, abort:<source>, ind:<primitive>,
// artim+ (start), artim- (stop), close.
type Variant = 'default' | 'acceptable' | 'not-acceptable' | 'requestor' | 'acceptor' | 'user' | 'provider';
const EXPECTED_OUTCOMES: Record<ActionId, Partial<Record<Variant, string>>> = {
  'AE-1': { default: 'connect > Sta4' },
  'AE-2': { default: 'send:A-ASSOCIATE-RQ > Sta5' },
  'AE-3': { default: 'ind:A-ASSOCIATE-confirm-accept > Sta6' },
  'AE-4': { default: 'ind:A-ASSOCIATE-confirm-reject close > Sta1' },
  'AE-5': { default: 'respond artim+ > Sta2' },
  'AE-6': {
    acceptable: 'artim- ind:A-ASSOCIATE-indication > Sta3',
    'not-acceptable': 'artim- send:A-ASSOCIATE-RJ artim+ > Sta13',
  },
  'AE-7': { default: 'send:A-ASSOCIATE-AC > Sta6' },
  'AE-8': { default: 'send:A-ASSOCIATE-RJ artim+ > Sta13' },
  'DT-1': { default: 'send:P-DATA-TF > Sta6' },
  'DT-2': { default: 'ind:P-DATA-indication > Sta6' },
  'AR-1': { default: 'send:A-RELEASE-RQ > Sta7' },
  'AR-2': { default: 'ind:A-RELEASE-indication > Sta8' },
  'AR-3': { default: 'ind:A-RELEASE-confirm close > Sta1' },
  'AR-4': { default: 'send:A-RELEASE-RP artim+ > Sta13' },
  'AR-5': { default: 'artim- > Sta1' },
  'AR-6': { default: 'ind:P-DATA-indication > Sta7' },
  'AR-7': { default: 'send:P-DATA-TF > Sta8' },
  'AR-8': { requestor: 'ind:A-RELEASE-indication > Sta9', acceptor: 'ind:A-RELEASE-indication > Sta10' },
  'AR-9': { default: 'send:A-RELEASE-RP > Sta11' },
  'AR-10': { default: 'ind:A-RELEASE-confirm > Sta12' },
  'AA-1': { default: 'abort:0 artim+ > Sta13' },
  'AA-2': { default: 'artim- close > Sta1' },
  'AA-3': { user: 'ind:A-ABORT-indication close > Sta1', provider: 'ind:A-P-ABORT-indication close > Sta1' },
  'AA-4': { default: 'ind:A-P-ABORT-indication > Sta1' },
  'AA-5': { default: 'artim- > Sta1' },
  'AA-6': { default: '> Sta13' },
  'AA-7': { default: 'abort:2 > Sta13' },
  'AA-8': { default: 'abort:2 ind:A-P-ABORT-indication artim+ > Sta13' },
};

const CONN_CLOSE_ACTIONS = ['AE-4', 'AR-3', 'AR-5', 'AA-2', 'AA-3', 'AA-4', 'AA-5'];

function token(e: Effect): string {
  switch (e.effect) {
    case 'connect-transport':
      return 'connect';
    case 'respond-transport':
      return 'respond';
    case 'send':
      return `send:${e.pdu}`;
    case 'send-abort':
      return `abort:${e.source}`;
    case 'indicate':
      return `ind:${e.primitive}`;
    case 'start-artim':
      return 'artim+';
    case 'stop-artim':
      return 'artim-';
    case 'close-transport':
      return 'close';
  }
}

function variantSetup(v: Variant): { role: Role; ctx: DispatchContext } {
  switch (v) {
    case 'acceptable':
      return { role: 'acceptor', ctx: { associateRqAcceptableByDul: true } };
    case 'not-acceptable':
      return { role: 'acceptor', ctx: { associateRqAcceptableByDul: false } };
    case 'requestor':
      return { role: 'requestor', ctx: {} };
    case 'user':
      return { role: 'acceptor', ctx: { receivedAbortSource: 0 } };
    case 'provider':
      return { role: 'acceptor', ctx: { receivedAbortSource: 2 } };
    default:
      return { role: 'acceptor', ctx: {} };
  }
}

describe('PS3.8 Table 9-10: the table file matches the grid copied in this test', () => {
  test('every row and column', () => {
    for (const evt of FSM_EVENTS) {
      assert.deepEqual([...TRANSITION_TABLE[evt]], GRID.get(evt), evt);
    }
  });
  test('every action of Tables 9-6..9-9 is used and has expectations', () => {
    const used = new Set(FSM_EVENTS.flatMap((e) => TRANSITION_TABLE[e].filter((c) => c !== undefined)));
    assert.deepEqual([...used].sort(), [...ACTION_IDS].sort());
  });
  test('EVT_CONN_CLOSE actions are exactly pynetdicom’s seven', () => {
    const marked = ACTION_IDS.filter((a) => ACTIONS[a].closesConnection);
    assert.deepEqual(marked.sort(), [...CONN_CLOSE_ACTIONS].sort());
  });
});

for (const evt of FSM_EVENTS) {
  describe(`${evt} (${FSM_EVENT_SPECS[evt].description})`, () => {
    STATES.forEach((state, col) => {
      const expected = GRID.get(evt)?.[col];
      if (expected === undefined) {
        test(`${state} + ${evt}: empty cell`, () => assertInvalidPair(state, evt));
        return;
      }
      test(`${state} + ${evt} → ${expected}`, () => assertCell(state, evt, expected as ActionId));
    });
  });
}

function assertCell(state: State, evt: FsmEvent, action: ActionId): void {
  const variants = EXPECTED_OUTCOMES[action];
  for (const [variant, spec] of Object.entries(variants) as [Variant, string][]) {
    const { role, ctx } = variantSetup(variant);
    const fsm = new StateMachine(role, state);
    const result = fsm.dispatch(evt, ctx);
    assert.equal(result.kind, 'transition');
    if (result.kind !== 'transition') return;
    const [effects = '', next = ''] = spec.split('>').map((s) => s.trim());
    assert.equal(result.action, action);
    assert.equal(result.from, state);
    assert.equal(result.event, evt);
    assert.equal(result.to, next, `${variant}: next state`);
    assert.equal(fsm.state, next);
    assert.deepEqual(
      result.effects.map(token),
      effects === '' ? [] : effects.split(' '),
      `${variant}: effects`,
    );
    assert.equal(result.closesConnection, CONN_CLOSE_ACTIONS.includes(action));
    assert.equal(result.invalidPair, undefined);
  }
}

// The documented invalid-pair policy (state-machine.ts), per event source.
function assertInvalidPair(state: State, evt: FsmEvent): void {
  const fsm = new StateMachine('acceptor', state);
  const result = fsm.dispatch(evt, {});
  switch (FSM_EVENT_SPECS[evt].source) {
    case 'local-user':
      assert.equal(result.kind, 'invalid-local-primitive');
      if (result.kind !== 'invalid-local-primitive') return;
      assert.equal(result.error.code, 'DT_ERR_DUL_INVALID_PRIMITIVE');
      assert.deepEqual(result.error.context, { state, event: evt });
      assert.equal(fsm.state, state, 'state unchanged');
      return;
    case 'transport':
    case 'timer':
      assert.equal(result.kind, 'ignored');
      if (result.kind !== 'ignored') return;
      assert.equal(result.error.code, 'DT_ERR_DUL_STALE_EVENT');
      assert.equal(fsm.state, state, 'state unchanged');
      return;
    case 'peer-pdu': {
      // Every empty PDU cell is in Sta1 or Sta4, where Evt19 is empty too: AA-2 is the fallback.
      assert.ok(state === 'Sta1' || state === 'Sta4', `unexpected empty PDU cell in ${state}`);
      assert.equal(result.kind, 'transition');
      if (result.kind !== 'transition') return;
      assert.equal(result.action, 'AA-2');
      assert.equal(result.to, 'Sta1');
      assert.deepEqual(result.effects.map(token), ['artim-', 'close']);
      assert.equal(result.invalidPair?.code, 'DT_ERR_DUL_UNEXPECTED_PDU');
      assert.equal(result.invalidPair?.context['substitute'], 'AA-2');
      assert.equal(fsm.state, 'Sta1');
      return;
    }
  }
}
