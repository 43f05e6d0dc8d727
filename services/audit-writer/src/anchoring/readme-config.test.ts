import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeConfig } from '@dicomtrail/runtime';
import { anchorConfigSpec } from './config.js';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../README.md');

/** A Markdown table row as its cells, whatever the padding. */
const cells = (line: string): string => JSON.stringify(line.split('|').map((c) => c.trim()));

test("the README's audit-anchor configuration table is the one the config spec generates", () => {
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf('### audit-anchor'), readme.indexOf('### trace-exporter'));
  const inReadme = new Set(
    section
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map(cells),
  );
  const generated = describeConfig(anchorConfigSpec)
    .split('\n')
    .filter((l) => l.startsWith('| `'));
  const missing = generated.filter((l) => !inReadme.has(cells(l)));
  assert.deepEqual(missing, [], 'README.md is out of date: run node scripts/config-table.mjs');
  assert.equal(inReadme.size, generated.length, 'README.md lists variables the spec does not');
});
