/** What both projections' column tables and folds use. */
import { operationServiceOf } from '@dicomtrail/schemas';
import type { ProjectionColumn } from '../json-rows.js';

export type Json = Record<string, unknown>;
export type Delta = Record<string, unknown>;

export const column = (name: string, type: string, merge: ProjectionColumn['merge']): ProjectionColumn => ({
  name,
  type,
  merge,
});

export function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The DIMSE service of an intervention event that is one operation (EVT_C_CANCEL names another one). */
export function operationOf(type: string): string | undefined {
  return type === 'EVT_C_CANCEL' ? undefined : operationServiceOf(type);
}
