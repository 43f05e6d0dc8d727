// Writes json/dicomtrail.event.v1.schema.json from the TypeBox definition.
// Run after a build: `npm run emit -w @dicomtrail/schemas`. The drift test fails until you do.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventJsonSchemaText, JSON_SCHEMA_FILE } from '../src/json-schema.js';

const target = fileURLToPath(new URL(`../../json/${JSON_SCHEMA_FILE}`, import.meta.url));
writeFileSync(target, eventJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
