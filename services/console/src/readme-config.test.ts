import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { describeConfig } from '@dicomtrail/runtime';
import { consoleConfigSpec } from './config.js';

const README = new URL('../../../../README.md', import.meta.url);
/** A table row with its cells trimmed and separator dashes collapsed, as a Markdown formatter may pad them. */
const canonical = (line: string) =>
  line
    .replace(/\s*\|\s*/g, '|')
    .replace(/\|-+(?=\|)/g, '|-')
    .trim();

test("the README's console configuration table is the one the config spec generates", () => {
  const readme = new Set(readFileSync(README, 'utf8').split('\n').map(canonical));
  const missing = describeConfig(consoleConfigSpec)
    .split('\n')
    .map(canonical)
    .filter((r) => !readme.has(r));
  assert.deepEqual(missing, [], 'README.md is out of date: run node scripts/config-table.mjs');
});
