/** What both projections' column tables and folds use. */
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
