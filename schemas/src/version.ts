// The event schema identifier and its compatibility rule.
// A producer writes SCHEMA_ID. A consumer accepts `dicomtrail.event/<major>` and
// `dicomtrail.event/<major>.<minor>` for the majors it knows and rejects every other major
// (to the dead-letter topic, never silently). Minor versions are additive only.

export const SCHEMA_ID = 'dicomtrail.event/1' as const;
export const SCHEMA_MAJOR = 1 as const;
export const SUPPORTED_SCHEMA_MAJORS: readonly number[] = [SCHEMA_MAJOR];

/** The pattern of the `schema` field for every version of this schema family. */
export const SCHEMA_ID_PATTERN = '^dicomtrail\\.event/(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))?$';
/** The pattern of the `schema` field this version accepts (major 1, any minor). */
export const SCHEMA_ID_V1_PATTERN = '^dicomtrail\\.event/1(\\.(0|[1-9][0-9]*))?$';

/** The major version of a schema id, or undefined if `id` is not a dicomtrail.event id. */
const SCHEMA_ID_RE = new RegExp(SCHEMA_ID_PATTERN);

export function schemaMajor(id: unknown): number | undefined {
  if (typeof id !== 'string') return undefined;
  if (id === SCHEMA_ID) return SCHEMA_MAJOR;
  const match = SCHEMA_ID_RE.exec(id);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** True when a consumer built against this package may process an event with this schema id. */
export function isSupportedSchema(id: unknown): boolean {
  const major = schemaMajor(id);
  return major !== undefined && SUPPORTED_SCHEMA_MAJORS.includes(major);
}
