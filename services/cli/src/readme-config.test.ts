/**
 * The README's configuration tables are the ones scripts/config-table.mjs generates from every service's config
 * spec (adapter, audit-writer, trace-exporter, audit-interchange): a variable added, changed or removed without
 * regenerating them fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const ROOT = new URL('../../../../', import.meta.url);

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

test("the README's configuration tables are the ones the config specs generate", async () => {
  const generator = new URL('scripts/config-table.mjs', ROOT).href;
  const { configTables } = (await import(generator)) as { configTables: () => string };
  const inReadme = new Set(rows(readFileSync(new URL('README.md', ROOT), 'utf8')));
  const missing = rows(configTables()).filter((r) => !inReadme.has(r));
  assert.deepEqual(missing, [], 'README.md is out of date: run node scripts/config-table.mjs');
});
