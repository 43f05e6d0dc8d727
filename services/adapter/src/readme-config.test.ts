import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeConfig } from '@dicomtrail/runtime';
import { adapterConfigSpec } from './config.js';

test("the README's adapter configuration table is the one the config spec generates", () => {
  const readme = readFileSync(
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../README.md'),
    'utf8',
  );
  assert.ok(
    readme.includes(describeConfig(adapterConfigSpec)),
    'README.md is out of date: run node scripts/config-table.mjs',
  );
});
