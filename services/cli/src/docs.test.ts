import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

/** services/cli/dist/src → the repository root. */
const root = new URL('../../../../', import.meta.url);

test('docs/configuration.md is what the config specs generate (node scripts/config-table.mjs --write)', async () => {
  const { configurationDoc, CONFIGURATION_DOC } = (await import(
    new URL('scripts/config-table.mjs', root).href
  )) as { configurationDoc: () => string; CONFIGURATION_DOC: URL };
  assert.equal(
    readFileSync(CONFIGURATION_DOC, 'utf8'),
    configurationDoc(),
    'docs/configuration.md is out of date: run node scripts/config-table.mjs --write',
  );
});

test('README.md: at most 250 lines, none over 200 characters', () => {
  const lines = readFileSync(new URL('README.md', root), 'utf8').split('\n');
  assert.ok(lines.length <= 250, `README.md has ${lines.length} lines`);
  const long = lines
    .map((line, i) => ({ line: i + 1, length: [...line].length }))
    .filter((l) => l.length > 200);
  assert.deepEqual(long, [], 'README.md lines over 200 characters');
});
