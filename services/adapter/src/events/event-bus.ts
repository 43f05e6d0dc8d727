/**
 * Handler binding, as pynetdicom's events.py (spec §1): notification events take any number of
 * handlers, called in bind order, exceptions logged and counted (never propagated); intervention
 * events take exactly one handler, which replaces the default, and whose exception becomes a
 * failure status in the service class.
 */
import type { EventType } from '@dicomtrail/schemas';

const NO_HANDLERS: readonly never[] = Object.freeze([]);

export type NotificationHandler<E> = (event: E) => void;
export type InterventionHandler<E, R> = (event: E) => R | Promise<R>;

export class HandlerRegistry<E> {
  readonly #notification = new Map<EventType, NotificationHandler<E>[]>();
  readonly #intervention = new Map<EventType, InterventionHandler<E, unknown>>();

  bind(type: EventType, handler: NotificationHandler<E>): void {
    const list = this.#notification.get(type) ?? [];
    if (!list.includes(handler)) list.push(handler);
    this.#notification.set(type, list);
  }

  unbind(type: EventType, handler: NotificationHandler<E>): void {
    const list = this.#notification.get(type);
    if (list)
      this.#notification.set(
        type,
        list.filter((h) => h !== handler),
      );
  }

  /**
   * Binds the one intervention handler for `type` (replacing the current one). Its argument is the
   * service's own request object (service-classes/service-request.ts, or the user identity), so any
   * one-argument function is accepted here; the service class calls it with the right type.
   */
  handle<R>(type: EventType, handler: (request: never) => R | Promise<R>): void {
    this.#intervention.set(type, handler as InterventionHandler<E, unknown>);
  }

  notificationHandlers(type: EventType): readonly NotificationHandler<E>[] {
    // One shared empty list: asked for every event an association emits, most of which no handler takes.
    return this.#notification.get(type) ?? NO_HANDLERS;
  }

  interventionHandler(type: EventType): InterventionHandler<E, unknown> | undefined {
    return this.#intervention.get(type);
  }

  /** A copy for a new association: later binds on the server do not leak into it, and vice versa. */
  clone(): HandlerRegistry<E> {
    const r = new HandlerRegistry<E>();
    for (const [k, v] of this.#notification) r.#notification.set(k, [...v]);
    for (const [k, v] of this.#intervention) r.#intervention.set(k, v);
    return r;
  }
}
