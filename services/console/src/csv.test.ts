import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCsv } from './csv.js';

test('quotes, commas, line breaks, dates and formula-looking fields', () => {
  const csv = toCsv(
    ['a', 'b', 'c'],
    [
      ['DOE^JANE', 'say "hi", twice', new Date('2026-01-02T03:04:05.006Z')],
      ['=SUM(A1)', 'line\nbreak', null],
    ],
  );
  assert.equal(
    csv,
    'a,b,c\r\nDOE^JANE,"say ""hi"", twice",2026-01-02T03:04:05.006Z\r\n\'=SUM(A1),"line\nbreak",\r\n',
  );
});
