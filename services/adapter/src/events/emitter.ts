/**
 * The narrow face of an association's events that ACSE, DIMSE and the upper layer see: `emit(type, build)`,
 * typed from the schemas catalog (`@dicomtrail/schemas` PARAMS_CATALOG), and `wants(type)`. A params object
 * of the wrong shape for its type is a compile error (events/emitter.typecheck.ts proves it), so the
 * adapter's own events need no schema check per event on the way out; consumers still validate.
 *
 * `build` runs only when a handler or a sink wants the type. A data set in params is what the adapter's
 * decoder made (dataset/dicom-json.ts) or a header decoded later (dataset/deferred-dicom-json.ts), off the
 * DICOM thread when a sink says so; its content is the decoder's contract, tested there.
 */
import type { DicomJsonDataset, EventType, ParamsOf } from '@dicomtrail/schemas';
import type { DeferredDicomJson } from '../dataset/deferred-dicom-json.js';
import type { DicomJson } from '../dataset/dicom-json.js';

/** The keys of `P` whose schema is exactly a DICOM JSON data set (optional or not). */
type DatasetKeysOf<P> = {
  [K in keyof P]-?: [NonNullable<P[K]>] extends [DicomJsonDataset]
    ? [DicomJsonDataset] extends [NonNullable<P[K]>]
      ? K
      : never
    : never;
}[keyof P];

/** EVT_DIMSE_RECV/SENT carry their data sets one level down, in `message`. */
type MessageOf<P> = P extends { message: infer M } ? M : never;

/** Every params property that holds a data set, read from the schemas. */
export type DatasetKey = {
  [T in EventType]: DatasetKeysOf<ParamsOf<T>> | DatasetKeysOf<MessageOf<ParamsOf<T>>>;
}[EventType];

/** The event types with a data set in their params. */
type WithDataset = {
  [T in EventType]: [DatasetKey & keyof ParamsOf<T>] extends [never]
    ? [MessageOf<ParamsOf<T>>] extends [never]
      ? never
      : T
    : T;
}[EventType];

/** A data set as the producer holds it: decoded, or decoded later. */
export type ProducedDataset = DicomJson | DeferredDicomJson;

/** Params as the producer holds them: each data set decoded or to be decoded. */
export type Producing<P> = {
  [K in keyof P]: K extends DatasetKey
    ? undefined extends P[K]
      ? ProducedDataset | undefined
      : ProducedDataset
    : K extends 'message'
      ? Producing<P[K]>
      : P[K];
};

/**
 * The params an event of type `T` is emitted with: its schema's static type, or for events with data sets, the
 * same with each data set as the producer holds it. (A union, not one mapped type, so that string literals in
 * `build`'s object keep their literal types when `T` is inferred.)
 */
export type EmitParams<T extends EventType> =
  | ParamsOf<T>
  | (T extends WithDataset ? Producing<ParamsOf<T>> : never);

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/**
 * Every field the params of one of the types `T` may have, each typed as its schema says, all optional: for
 * params assembled field by field where the event type is chosen at run time (a relayed operation, an N-service).
 */
export type ParamFieldsOf<T extends EventType> = Partial<UnionToIntersection<Producing<ParamsOf<T>>>>;

/**
 * States that params assembled from `ParamFieldsOf<T>` are complete for the type they were built for: which
 * fields are required depends on that run-time choice, so their tests check each such event against the schema.
 */
export function assembledParams<T extends EventType>(fields: ParamFieldsOf<T>): EmitParams<T> {
  return fields as EmitParams<T>;
}

/**
 * Params for an emit of `T`: a type named at the call (or a few, checked against each one's params), never
 * "any event type", whose params union would let any object through.
 */
type EmitParamsFor<T extends EventType> = EventType extends T ? never : EmitParams<T>;

/** Emits an event of `type` whose params `build` makes (only if someone wants it); `messageId` ties it to a DIMSE message. */
export type Emit = <T extends EventType>(type: T, build: () => EmitParamsFor<T>, messageId?: number) => void;

export interface EventEmitter {
  /** Does any handler or sink want this event type? (Work done only for events is skipped otherwise.) */
  wants(type: EventType): boolean;
  emit: Emit;
}
