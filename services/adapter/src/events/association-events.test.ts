import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '@dicomtrail/runtime';
import type { AdapterEvent, EventSink } from './adapter-event.js';
import { AssociationEvents, type EventSubject } from './association-events.js';
import { HandlerRegistry } from './event-bus.js';

function subject(): EventSubject & { callingAeTitle: string } {
  return {
    id: '0190c9a4-6a9e-7cc4-9f2b-3c1f0e6a4d21',
    role: 'acceptor',
    callingAeTitle: '',
    calledAeTitle: 'DICOMTRAIL',
    endpoints: () => ({
      local: { address: '127.0.0.1', port: 104 },
      remote: { address: '127.0.0.1', port: 5000 },
    }),
    negotiation: () => ({ contexts: [] }),
  };
}

function collector(types: readonly string[]): EventSink & { events: AdapterEvent[] } {
  const events: AdapterEvent[] = [];
  return {
    events,
    wants: (t) => types.includes(t),
    write: (e) => void events.push(e),
    close: async () => {},
  };
}

test('AssociationEvents: seq counts every emitted event from 0 without gaps; unwanted types are not built', () => {
  const sink = collector(['EVT_ACSE_RECV', 'EVT_REQUESTED']);
  const s = subject();
  const events = new AssociationEvents({
    subject: s,
    handlers: new HandlerRegistry(),
    sinks: [sink],
    log: createLogger('test', { level: 'silent' }),
  });
  let built = 0;
  events.emit('EVT_ACSE_RECV', () => ({ primitive: 'A-ASSOCIATE', form: 'request' }));
  events.emit('EVT_FSM_TRANSITION', () => {
    built++;
    return { current_state: 'Sta1', fsm_event: 'Evt5', action: 'AE-5', next_state: 'Sta2' };
  });
  s.callingAeTitle = 'STORESCU';
  events.emit('EVT_REQUESTED', () => ({}));
  assert.equal(built, 0);
  assert.deepEqual(
    sink.events.map((e) => [e.type, e.seq, e.association.calling_ae_title]),
    [
      ['EVT_ACSE_RECV', 0, ''],
      ['EVT_REQUESTED', 1, 'STORESCU'],
    ],
  );
  // Lifecycle events carry the negotiation; others share one frozen metadata object.
  assert.deepEqual(sink.events[1]!.association.negotiation, { contexts: [] });
  assert.equal(sink.events[0]!.association.negotiation, undefined);
  assert.ok(Object.isFrozen(sink.events[0]!.association));
  assert.equal(events.nextSeq, 2);
});

test('AssociationEvents: a failing handler or sink is logged, the others still get the event', () => {
  const handlers = new HandlerRegistry<AdapterEvent>();
  const seen: string[] = [];
  handlers.bind('EVT_ESTABLISHED', () => {
    throw new Error('handler bug');
  });
  handlers.bind('EVT_ESTABLISHED', (e) => void seen.push(`handler ${e.seq}`));
  const failing: EventSink = {
    wants: () => true,
    write: () => {
      throw new Error('sink bug');
    },
    close: async () => {},
  };
  const sink = collector(['EVT_ESTABLISHED']);
  const events = new AssociationEvents({
    subject: subject(),
    handlers,
    sinks: [failing, sink],
    log: createLogger('test', { level: 'silent' }),
  });
  events.emit('EVT_ESTABLISHED', () => ({}));
  assert.deepEqual(seen, ['handler 0']);
  assert.equal(sink.events.length, 1);
});
