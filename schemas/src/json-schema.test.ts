import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EVENT_TYPES } from './event-types.js';
import { eventJsonSchema, eventJsonSchemaText, JSON_SCHEMA_FILE } from './json-schema.js';

const committed = new URL(`../../json/${JSON_SCHEMA_FILE}`, import.meta.url);

test('drift: the committed JSON Schema is what the code emits (fix: npm run build && npm run emit)', () => {
  assert.equal(readFileSync(committed, 'utf8'), eventJsonSchemaText());
});

type Node = { [key: string]: unknown };
function* walk(node: unknown, path = ''): Generator<[string, Node]> {
  if (Array.isArray(node)) for (const [i, child] of node.entries()) yield* walk(child, `${path}/${i}`);
  else if (node !== null && typeof node === 'object') {
    yield [path, node as Node];
    for (const [key, child] of Object.entries(node)) yield* walk(child, `${path}/${key}`);
  }
}

test('one member per event type; every $ref resolves; no nested $id', () => {
  const schema = eventJsonSchema();
  assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
  assert.equal((schema['anyOf'] as unknown[]).length, EVENT_TYPES.length);
  const defs = schema['$defs'] as Record<string, unknown>;
  for (const [path, node] of walk(schema)) {
    if (path !== '') assert.equal(node['$id'], undefined, path);
    const ref = node['$ref'];
    if (typeof ref === 'string') {
      assert.match(ref, /^#\/\$defs\//, path);
      assert.ok(ref.slice('#/$defs/'.length) in defs, ref);
    }
  }
});

test('no property anywhere can carry a user identity secret (spec §9.12)', () => {
  for (const [path, node] of walk(eventJsonSchema())) {
    const props = node['properties'];
    if (props === null || typeof props !== 'object') continue;
    for (const key of Object.keys(props)) {
      assert.doesNotMatch(
        key,
        /^(secondary_field|passcode|password|token|server_response)$/,
        `${path}/${key}`,
      );
    }
    if (node['type'] === 'object') assert.equal(node['additionalProperties'], false, path);
  }
});
