/**
 * What ACSE needs of the association it negotiates for: its events (a narrow emitter, events/emitter.ts), the
 * bound intervention handlers (the user identity verifier) and its log; not the whole association.
 */
import type { Logger } from '@dicomtrail/runtime';
import type { AdapterEvent } from '../events/adapter-event.js';
import type { EventEmitter } from '../events/emitter.js';
import type { HandlerRegistry } from '../events/event-bus.js';

export interface AcseUser extends EventEmitter {
  readonly id: string;
  readonly handlers: HandlerRegistry<AdapterEvent>;
  readonly log: Logger;
}
