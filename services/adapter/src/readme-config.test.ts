import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeConfig } from '@dicomtrail/runtime';
import { adapterConfigSpec } from './config.js';

/** Table rows without the padding a Markdown formatter adds. */
function rows(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((l) => l.trim().startsWith('|'))
    .map((l) =>
      l
        .split('|')
        .map((c) => c.trim().replace(/^-+$/, '-'))
        .join('|'),
    );
}

test("the README's adapter configuration table is the one the config spec generates", () => {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../README.md');
  const inReadme = new Set(rows(readFileSync(file, 'utf8')));
  const missing = rows(describeConfig(adapterConfigSpec)).filter((r) => !inReadme.has(r));
  assert.deepEqual(missing, [], 'README.md is out of date: run node scripts/config-table.mjs');
});
