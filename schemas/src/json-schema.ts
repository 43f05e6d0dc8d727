// The JSON Schema (draft 2020-12) of the event union, emitted from the TypeBox definition.
// Subschemas with an $id (the recursive DICOM JSON data set, shared envelope parts) are hoisted
// into $defs once and referenced as #/$defs/<id>, so the file has no duplicate $id.
import { DicomtrailEventSchema } from './event.js';
import { SCHEMA_ID } from './version.js';

export const JSON_SCHEMA_FILE = 'dicomtrail.event.v1.schema.json';
export const JSON_SCHEMA_ID = `urn:dicomtrail:schema:${SCHEMA_ID}`;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function hoist(node: Json, defs: Record<string, Json>, isRoot: boolean): Json {
  if (Array.isArray(node)) return node.map((child) => hoist(child, defs, false));
  if (node === null || typeof node !== 'object') return node;
  const { $id, ...rest } = node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(rest)) {
    out[key] =
      key === '$ref' && typeof value === 'string' && !value.startsWith('#')
        ? `#/$defs/${value}`
        : hoist(value, defs, false);
  }
  if (typeof $id === 'string' && !isRoot) {
    defs[$id] ??= out;
    return { $ref: `#/$defs/${$id}` };
  }
  return out;
}

/** The event union as a JSON Schema document (plain JSON, no TypeBox symbols). */
export function eventJsonSchema(): Record<string, Json> {
  const plain = JSON.parse(JSON.stringify(DicomtrailEventSchema)) as Json;
  const defs: Record<string, Json> = {};
  const body = hoist(plain, defs, true) as Record<string, Json>;
  const sortedDefs = Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b)));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: JSON_SCHEMA_ID,
    ...body,
    $defs: sortedDefs,
  };
}

/** The exact text of the committed file. */
export function eventJsonSchemaText(): string {
  return `${JSON.stringify(eventJsonSchema(), null, 2)}\n`;
}
