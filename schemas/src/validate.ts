// Compiled validators: one TypeCompiler check per event type, compiled on first use and kept.
// parseEvent decides in this order: an object? a known schema major? a known type? then the
// type's own schema, so a consumer can route each failure to the dead-letter topic with a reason.
import type { TSchema } from '@sinclair/typebox';
import {
  type TypeCheck,
  TypeCompiler,
  type ValueError,
  type ValueErrorIterator,
} from '@sinclair/typebox/compiler';
import { NO_CONTROL_CHARACTERS } from './common.js';
import { type DicomtrailEvent, EVENT_SCHEMAS } from './event.js';
import { EVENT_TYPES, type EventType, isEventType } from './event-types.js';
import { isSupportedSchema, schemaMajor } from './version.js';

export type EventErrorCode = 'not_an_object' | 'unknown_schema_major' | 'unknown_type' | 'invalid_event';

export interface EventIssue {
  /** JSON Pointer into the event, '' for the whole document. */
  path: string;
  message: string;
}

export type ParseResult =
  | { ok: true; event: DicomtrailEvent }
  | { ok: false; code: EventErrorCode; errors: EventIssue[] };

/** Thrown by assertEvent. Its code and errors are those of parseEvent's failure. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  readonly code: EventErrorCode;
  readonly errors: readonly EventIssue[];

  constructor(code: EventErrorCode, errors: readonly EventIssue[]) {
    const first = errors[0];
    super(`invalid dicomtrail event (${code})${first ? `: ${first.path || '/'} ${first.message}` : ''}`);
    this.code = code;
    this.errors = errors;
  }
}

const MAX_ISSUES = 50;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001F\u007F]/;
const compiled = new Map<EventType, TypeCheck<TSchema>>();

/** The compiled validator of one event type (compiled once, on first use). */
export function validatorFor(type: EventType): TypeCheck<TSchema> {
  let check = compiled.get(type);
  if (check === undefined) {
    check = TypeCompiler.Compile(EVENT_SCHEMAS[type] as TSchema);
    compiled.set(type, check);
  }
  return check;
}

/**
 * Compiles the validators of `types` (default: every type) now. A producer calls it at start-up so that the
 * first event of a type is not the one that pays for compiling its schema (tens of ms on a busy machine).
 */
export function compileValidators(types: readonly EventType[] = EVENT_TYPES): void {
  for (const type of types) validatorFor(type);
}

/** For a union mismatch, the errors of the closest variant (the one with fewest errors). */
function issuesOf(errors: Iterable<ValueError>): EventIssue[] {
  const issues: EventIssue[] = [];
  for (const error of errors) {
    issues.push(...(error.errors.length > 0 ? closestVariant(error) : [toIssue(error)]));
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues.slice(0, MAX_ISSUES);
}

function closestVariant(error: ValueError): EventIssue[] {
  let best: EventIssue[] | undefined;
  for (const variant of error.errors as ValueErrorIterator[]) {
    const issues = issuesOf(variant);
    if (issues.length > 0 && (best === undefined || issues.length < best.length)) best = issues;
  }
  return best ?? [toIssue(error)];
}

function toIssue(error: ValueError): EventIssue {
  const control =
    (error.schema as { pattern?: string }).pattern === NO_CONTROL_CHARACTERS &&
    typeof error.value === 'string'
      ? CONTROL_CHARACTER.exec(error.value)
      : null;
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return {
      path: error.path,
      message: `contains control character U+${code} at index ${control.index} (AE titles and UIDs hold none)`,
    };
  }
  return { path: error.path, message: error.message };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function parseEvent(x: unknown): ParseResult {
  if (!isRecord(x))
    return { ok: false, code: 'not_an_object', errors: [{ path: '', message: 'Expected object' }] };
  if (!isSupportedSchema(x['schema'])) {
    const major = schemaMajor(x['schema']);
    const message =
      major === undefined
        ? 'Expected a schema id dicomtrail.event/<major>[.<minor>]'
        : `Unknown schema major ${major}; this consumer knows major 1`;
    return { ok: false, code: 'unknown_schema_major', errors: [{ path: '/schema', message }] };
  }
  const type = x['type'];
  if (!isEventType(type)) {
    return {
      ok: false,
      code: 'unknown_type',
      errors: [{ path: '/type', message: `Unknown event type ${String(type)}` }],
    };
  }
  const check = validatorFor(type);
  if (check.Check(x)) return { ok: true, event: x as DicomtrailEvent };
  return { ok: false, code: 'invalid_event', errors: issuesOf(check.Errors(x)) };
}

/** The event, typed, or an EventValidationError with the code and JSON-pointer paths. */
export function assertEvent(x: unknown): DicomtrailEvent {
  const result = parseEvent(x);
  if (!result.ok) throw new EventValidationError(result.code, result.errors);
  return result.event;
}

/** A fast yes/no (no error collection). */
export function isEvent(x: unknown): x is DicomtrailEvent {
  if (!isRecord(x) || !isSupportedSchema(x['schema']) || !isEventType(x['type'])) return false;
  return validatorFor(x['type']).Check(x);
}
