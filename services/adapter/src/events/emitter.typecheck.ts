/**
 * Compile-time tests of the typed `emit` (events/emitter.ts): the build (`tsc`) fails if a line marked
 * `@ts-expect-error` compiles, so a params shape that stops being checked cannot go unnoticed. Never run.
 */
import type { EventType } from '@dicomtrail/schemas';
import type { DeferredDicomJson } from '../dataset/deferred-dicom-json.js';
import type { DatasetKey, EventEmitter } from './emitter.js';

type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** The data set properties, as read from the schemas: a new one in schemas/ shows up here. */
export const datasetKeys: Equal<
  DatasetKey,
  | 'dataset'
  | 'file_meta'
  | 'identifier'
  | 'reply'
  | 'event_information'
  | 'event_reply'
  | 'modification_list'
  | 'action_information'
  | 'action_reply'
  | 'attribute_list'
> = true;

const context = { id: 1, abstract_syntax: '1.2.840.10008.1.1', transfer_syntax: '1.2.840.10008.1.2' };

export function emitChecks(e: EventEmitter, header: DeferredDicomJson, anyType: EventType): void {
  // Right shapes compile.
  e.emit('EVT_ACSE_SENT', () => ({ primitive: 'A-ASSOCIATE', form: 'request' }));
  e.emit('EVT_ESTABLISHED', () => ({}));
  e.emit('EVT_RELEASED', () => ({ initiator: 'local', collision: false }));
  e.emit(
    'EVT_C_STORE',
    () => ({
      context,
      message_id: 1,
      affected_sop_class_uid: '1.2.840.10008.5.1.4.1.1.2',
      affected_sop_instance_uid: '1.2.3',
      priority: 0,
      dataset: header,
      status: 0,
      status_category: 'success',
    }),
    1,
  );

  // @ts-expect-error a value outside the schema's literal union
  e.emit('EVT_ACSE_SENT', () => ({ primitive: 'A-ASSOCIATION', form: 'request' }));
  // @ts-expect-error a required field missing (collision)
  e.emit('EVT_RELEASED', () => ({ initiator: 'local' }));
  // @ts-expect-error a field of the wrong type
  e.emit('EVT_RELEASED', () => ({ initiator: 'local', collision: 'no' }));
  // @ts-expect-error the params of another event type
  e.emit('EVT_C_ECHO', () => ({ initiator: 'local', collision: false }));
  // @ts-expect-error an unknown event type
  e.emit('EVT_NOT_A_TYPE', () => ({}));
  // @ts-expect-error a loose object: no field is known to be there
  e.emit('EVT_C_ECHO', () => ({}) as Record<string, unknown>);
  // @ts-expect-error "any event type" would let any params through
  e.emit(anyType, () => ({}));
  // @ts-expect-error a data set where the schema has none
  e.emit('EVT_ACSE_SENT', () => ({ primitive: header, form: 'request' }));
  e.emit('EVT_C_STORE', () => ({
    context,
    message_id: 1,
    affected_sop_class_uid: '',
    affected_sop_instance_uid: '',
    // @ts-expect-error a priority PS3.7 does not define
    priority: 7,
    dataset: header,
    status: 0,
    status_category: 'success',
  }));
}
