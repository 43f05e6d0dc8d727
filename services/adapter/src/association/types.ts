/** The shapes the association layer shares with service classes, handlers and sinks. */
export type {
  AdapterEvent,
  AssociationInfo,
  AssociationRole,
  Endpoint,
  EventSink,
} from '../events/adapter-event.js';

/** A presentation context as negotiated (accepted ones only are usable). */
export interface NegotiatedContext {
  id: number;
  abstractSyntax: string;
  transferSyntax: string;
  /** Roles of the association requestor on this context (PS3.7 D.3.3.4; default SCU only). */
  requestorScu: boolean;
  requestorScp: boolean;
}
